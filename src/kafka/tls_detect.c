/* tls_detect.c - the TLS record header test (see tls_detect.h). */
#include "common/cursor.h"
#include "kafka/tls_detect.h"

enum {
    TLS_CONTENT_HANDSHAKE = 22,
    TLS_CONTENT_APPLICATION_DATA = 23,
    TLS_HANDSHAKE_CLIENT_HELLO = 1,
    TLS_HANDSHAKE_SERVER_HELLO = 2,
};

int kt_tls_record_start(const uint8_t *p, size_t len, int where)
{
    kt_cursor c;
    uint8_t type, major, minor, hs;
    uint16_t length;

    kt_cur_init(&c, p, len);
    type = kt_cur_u8(&c);
    major = kt_cur_u8(&c);
    minor = kt_cur_u8(&c);
    length = kt_cur_u16(&c);
    if (!kt_cur_ok(&c) || major != 3 || minor > 4 || length == 0 ||
        length > KT_TLS_MAX_RECORD)
        return 0;
    if (type == TLS_CONTENT_HANDSHAKE) {
        if (kt_cur_left(&c) == 0)
            return 1;
        hs = kt_cur_u8(&c);
        return hs == TLS_HANDSHAKE_CLIENT_HELLO || hs == TLS_HANDSHAKE_SERVER_HELLO ||
               where == KT_TLS_ANYWHERE;
    }
    return where == KT_TLS_ANYWHERE && type == TLS_CONTENT_APPLICATION_DATA && minor == 3;
}
