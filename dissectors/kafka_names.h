/* kafka_names.h - printable names of API keys and error codes (with a fallback
 * for numbers the tables do not know), for the findings and the reports. */
#ifndef KT_KAFKA_NAMES_H
#define KT_KAFKA_NAMES_H

#include <stddef.h>

/* "Produce", or "api_key_123" when the schema does not know the key;
 * buf (>= 24 bytes) is used only for the latter. */
const char *kt_api_name(int api_key, char *buf, size_t len);
/* "NOT_LEADER_OR_FOLLOWER", or "error_123" when the table does not know it. */
const char *kt_error_label(int code, char *buf, size_t len);

#endif
