#include <sys/timex.h>
// Glibc's Swift module does not include <sys/timex.h>.
int adjtimex(struct timex *buf);
