/*
 * malloc-trace.so: an LD_PRELOAD shim that records a program's heap operations for
 * scripts/bench's trace replay. Use it through `record` beside this file.
 *
 * Each process writes $TALC_TRACE_DIR/trace.<pid>, one operation per line (the format that
 * scripts/benchmark/trace.mjs reads; IDs are the pointers in hex):
 *
 *   a ID SIZE            malloc
 *   c ID SIZE            calloc (SIZE = n * size)
 *   m ID ALIGN SIZE      aligned_alloc, memalign, posix_memalign
 *   r OLDID NEWID SIZE   realloc, reallocarray (OLDID 0: from NULL; NEWID 0: freed by size 0)
 *   f ID                 free
 *
 * Failed calls are not recorded (nothing changed), nor is free(NULL).
 *
 * How it stays out of its own way:
 * - The real functions are found with dlsym(RTLD_NEXT), which may itself allocate (calloc for
 *   its error state); while it runs, allocations come from a static bootstrap buffer, and
 *   free/realloc recognise those blocks by address.
 * - Recording never allocates: lines are formatted by hand into a static buffer, written with
 *   write(2) when full and at exit.
 * - Order across threads: a free is recorded before the real free and an allocation after the
 *   real one, so a line reusing an address always follows the line that released it. realloc
 *   releases and allocates in one call, so it runs under the recording lock (recursive, in
 *   case a libc's realloc calls malloc through the hooks).
 * - fork: the child drops what the parent had buffered (the parent flushes it) and writes its
 *   own file. exec: the new image starts afresh (the file descriptor is close-on-exec).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);

/* ---- bootstrap allocations, while dlsym runs ----------------------------------------------- */

static _Alignas(64) char boot[64 * 1024];
static size_t boot_used;
static int resolving;

/*
 * 16-aligned blocks, each after a 16-byte header that holds its size (realloc needs it to
 * copy). They are never reused: dlsym needs only a few.
 */
static void *boot_alloc(size_t n, int zero)
{
    size_t need = 16 + ((n + 15) & ~(size_t)15);
    if (need > sizeof boot - boot_used) {
        return NULL;
    }
    char *p = boot + boot_used + 16;
    *(size_t *)(p - 16) = n;
    boot_used += need;
    if (zero) {
        memset(p, 0, n);
    }
    return p;
}

static int is_boot(const void *p)
{
    return (const char *)p >= boot && (const char *)p < boot + sizeof boot;
}

static void resolve(void)
{
    resolving = 1;
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    resolving = 0;
}

/* ---- the trace ---------------------------------------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static char out[1 << 20];
static size_t out_len;
static int out_fd = -1;
static int finished; /* after the destructor: nothing more is written */

static char *put_hex(char *s, uintptr_t v)
{
    char tmp[2 * sizeof v];
    int k = 0;
    do {
        tmp[k++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    while (k > 0) {
        *s++ = tmp[--k];
    }
    return s;
}

static char *put_dec(char *s, size_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (k > 0) {
        *s++ = tmp[--k];
    }
    return s;
}

static void flush_locked(void)
{
    if (out_len == 0) {
        return;
    }
    if (out_fd < 0) {
        /* $TALC_TRACE_DIR/trace.<pid>, built without snprintf (which may allocate) */
        const char *dir = getenv("TALC_TRACE_DIR");
        char path[4096];
        if (dir == NULL || strlen(dir) > sizeof path - 40) {
            out_len = 0;
            return;
        }
        size_t n = strlen(dir);
        memcpy(path, dir, n);
        memcpy(path + n, "/trace.", 7);
        n += 7;
        n = (size_t)(put_dec(path + n, (size_t)getpid()) - path);
        path[n] = '\0';
        out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            out_len = 0;
            return;
        }
    }
    for (size_t done = 0; done < out_len;) {
        ssize_t w = write(out_fd, out + done, out_len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    out_len = 0;
}

/* Appends "op a [b] [n1] [n2]\n"; `b`, `n1`, `n2` are written when `fields` asks for them. */
enum { F_PTR2 = 1, F_N1 = 2, F_N2 = 4 };

static void record(char op, const void *a, const void *b, size_t n1, size_t n2, int fields)
{
    if (finished) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (out_len > sizeof out - 128) {
        flush_locked();
    }
    char *s = out + out_len;
    *s++ = op;
    *s++ = ' ';
    s = put_hex(s, (uintptr_t)a);
    if (fields & F_PTR2) {
        *s++ = ' ';
        s = put_hex(s, (uintptr_t)b);
    }
    if (fields & F_N1) {
        *s++ = ' ';
        s = put_dec(s, n1);
    }
    if (fields & F_N2) {
        *s++ = ' ';
        s = put_dec(s, n2);
    }
    *s++ = '\n';
    out_len = (size_t)(s - out);
    pthread_mutex_unlock(&lock);
}

static void before_fork(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&lock);
}

static void after_fork_child(void)
{
    /* The lock belongs to the parent's thread, which the child does not have: start a new one. */
    static const pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    memcpy(&lock, &fresh, sizeof lock);
    out_len = 0;
    if (out_fd >= 0) {
        close(out_fd);
        out_fd = -1;
    }
}

__attribute__((constructor)) static void start(void)
{
    if (real_malloc == NULL) {
        resolve();
    }
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

__attribute__((destructor)) static void finish(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
    finished = 1;
    pthread_mutex_unlock(&lock);
}

/* ---- the hooks ---------------------------------------------------------------------------- */

/* Resolves the real functions on first use; true when the caller must use the bootstrap buffer. */
static int bootstrapping(void)
{
    if (real_malloc == NULL) {
        if (resolving) {
            return 1;
        }
        resolve();
    }
    return 0;
}

void *malloc(size_t n)
{
    if (bootstrapping()) {
        return boot_alloc(n, 0);
    }
    void *p = real_malloc(n);
    if (p != NULL) {
        record('a', p, NULL, n, 0, F_N1);
    }
    return p;
}

void *calloc(size_t count, size_t size)
{
    if (bootstrapping()) {
        return size != 0 && count > SIZE_MAX / size ? NULL : boot_alloc(count * size, 1);
    }
    void *p = real_calloc(count, size);
    if (p != NULL) {
        record('c', p, NULL, count * size, 0, F_N1);
    }
    return p;
}

void free(void *p)
{
    /* Bootstrap blocks are not freed; nor is anything while dlsym runs (only they exist then). */
    if (p == NULL || is_boot(p) || bootstrapping()) {
        return;
    }
    record('f', p, NULL, 0, 0, 0);
    real_free(p);
}

void *realloc(void *old, size_t n)
{
    int early = bootstrapping();
    if (early || is_boot(old)) {
        /* a bootstrap block moves to a new block, so that the real realloc never sees it */
        void *p = early ? boot_alloc(n, 0) : malloc(n);
        if (p != NULL && old != NULL) {
            size_t was = *(size_t *)((char *)old - 16);
            memcpy(p, old, was < n ? was : n);
        }
        return p;
    }
    pthread_mutex_lock(&lock);
    void *p = real_realloc(old, n);
    if (p != NULL || (old != NULL && n == 0)) {
        record('r', old, p, n, 0, F_PTR2 | F_N1);
    }
    pthread_mutex_unlock(&lock);
    return p;
}

void *reallocarray(void *old, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, count * size);
}

void *aligned_alloc(size_t align, size_t n)
{
    if (bootstrapping()) {
        return align <= 16 ? boot_alloc(n, 0) : NULL;
    }
    void *p = real_aligned_alloc(align, n);
    if (p != NULL) {
        record('m', p, NULL, align, n, F_N1 | F_N2);
    }
    return p;
}

void *memalign(size_t align, size_t n)
{
    if (bootstrapping()) {
        return align <= 16 ? boot_alloc(n, 0) : NULL;
    }
    void *p = real_memalign(align, n);
    if (p != NULL) {
        record('m', p, NULL, align, n, F_N1 | F_N2);
    }
    return p;
}

int posix_memalign(void **result, size_t align, size_t n)
{
    if (bootstrapping()) {
        *result = align <= 16 ? boot_alloc(n, 0) : NULL;
        return *result != NULL ? 0 : ENOMEM;
    }
    int e = real_posix_memalign(result, align, n);
    if (e == 0) {
        record('m', *result, NULL, align, n, F_N1 | F_N2);
    }
    return e;
}
