#include <stddef.h>
#include <pty.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <linux/serial.h>
// Glibc's Swift module is built without _XOPEN_SOURCE or _GNU_SOURCE, so these are not visible from `import Glibc`.
int posix_openpt(int flags);
int grantpt(int fd);
int unlockpt(int fd);
int ptsname_r(int fd, char *buf, size_t buflen);
int pipe2(int pipefd[2], int flags);
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo_p, const sigset_t *sigmask);
