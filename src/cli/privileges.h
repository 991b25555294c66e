/* privileges.h - least privilege once the capture is open: as root, become
 * an unprivileged user (-Z, default "nobody"); in every case give up every
 * capability, so hostile packet bytes are parsed with none. */
#ifndef KT_PRIVILEGES_H
#define KT_PRIVILEGES_H

#include <stddef.h>

/* The user kt_drop_privileges() becomes when started as root and -Z is not
 * given (tcpdump's choice). */
#define KT_DEFAULT_USER "nobody"

/* Call after every file and socket the run needs is open.  Started as root
 * (real or effective uid 0): switches groups, gid and uid to `user` (NULL:
 * KT_DEFAULT_USER).  Then, whoever started it: clears the ambient and (when
 * allowed) bounding capability sets, empties the effective, permitted and
 * inheritable sets, and sets no_new_privs, so nothing later can regain a
 * privilege.  Returns 0, or -1 with one line in err. */
int kt_drop_privileges(const char *user, char *err, size_t errlen);

#endif
