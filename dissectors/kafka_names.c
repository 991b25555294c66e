/* kafka_names.c - printable names of API keys and error codes (see
 * kafka_names.h). */
#include <stdio.h>
#include "dissectors/kafka_apis.h"
#include "dissectors/kafka_names.h"

const char *kt_api_name(int api_key, char *buf, size_t len)
{
    const kt_api_info *a = kt_api_lookup(api_key);
    if (a)
        return a->name;
    snprintf(buf, len, "api_key_%d", api_key);
    return buf;
}

const char *kt_error_label(int code, char *buf, size_t len)
{
    const char *n = kt_error_name(code);
    if (n)
        return n;
    snprintf(buf, len, "error_%d", code);
    return buf;
}
