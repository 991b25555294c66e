/* privileges.c - least privilege once the capture is open (see
 * privileges.h): setgroups/setgid/setuid to the -Z user, then every
 * capability set emptied through prctl() and capset(). */
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "cli/privileges.h"

/* The highest capability number this kernel knows. */
static int last_cap(void)
{
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    int n = CAP_LAST_CAP;

    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = CAP_LAST_CAP;
        fclose(f);
    }
    return n;
}

/* Ambient set cleared; bounding set emptied when we may (it needs
 * CAP_SETPCAP, which root has and a systemd service usually has not: then
 * the unit's CapabilityBoundingSet= bounds it). */
static void drop_inherited_caps(void)
{
    int cap, last = last_cap();

#ifdef PR_CAP_AMBIENT
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
#endif
    for (cap = 0; cap <= last; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EPERM)
            break;
}

static int become_user(const char *user, char *err, size_t errlen)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "cannot run as user %s: %s (give another with -Z)",
                 user, errno ? strerror(errno) : "no such user");
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
        setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
        snprintf(err, errlen, "cannot run as user %s: %s", user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {           /* must not be able to come back */
        snprintf(err, errlen, "cannot run as user %s: root could be regained", user);
        return -1;
    }
    return 0;
}

int kt_drop_privileges(const char *user, char *err, size_t errlen)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    int root = getuid() == 0 || geteuid() == 0;

    drop_inherited_caps();
    if (root && become_user(user ? user : KT_DEFAULT_USER, err, errlen) < 0)
        return -1;
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) < 0) {
        snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    return 0;
}
