/* fileio.c — files that are either complete or absent.
 *
 * Every output file is written to NAME.tmp, flushed, fsync'd and renamed over
 * NAME, so an error or an interruption never leaves a half-written file under
 * the real name (rename is atomic on POSIX file systems). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int atomic_open(atomic_file *af, const char *path)
{
    af->fp = NULL;
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof af->path) {
        fprintf(stderr, "raftsim: bad output file name '%s'\n", path);
        return -1;
    }
    /* Whatever would stop the final rename (or make it destroy something
     * that is not an output file) is refused now, before any run starts. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "raftsim: cannot write %s: %s\n", path,
                S_ISDIR(st.st_mode) ? "it is a folder (give a file name)"
                                    : "it is not a regular file");
        return -1;
    }
    if (stat(path, &st) == 0 && access(path, W_OK) != 0) {
        fprintf(stderr, "raftsim: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    memcpy(af->path, path, len + 1);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp", path);
    af->fp = fopen(af->tmp, "w");
    if (!af->fp) {
        fprintf(stderr, "raftsim: cannot write %s: %s\n", af->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

int atomic_commit(atomic_file *af)
{
    assert(af->fp);
    FILE *fp = af->fp;
    af->fp = NULL;
    int failed = fflush(fp) != 0 || ferror(fp);
    /* Durable before it becomes visible under the real name. */
    failed = failed || fsync(fileno(fp)) != 0;
    int saved = errno;
    failed = (fclose(fp) != 0) || failed;
    if (!failed && rename(af->tmp, af->path) == 0)
        return 0;
    if (!saved)
        saved = errno;
    fprintf(stderr, "raftsim: cannot write %s: %s\n", af->path, strerror(saved));
    remove(af->tmp);
    return -1;
}

void atomic_abort(atomic_file *af)
{
    if (!af->fp)
        return;
    fclose(af->fp);
    af->fp = NULL;
    remove(af->tmp);
}

char *read_text_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (used + 1 >= cap) {
            char *bigger = cap < (SIZE_MAX / 2) ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + used, 1, cap - used - 1, fp);
        used += n;
        if (n == 0)
            break;
    }
    int bad = !buf || ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        fprintf(stderr, "%s: error: cannot read file\n", path);
        return NULL;
    }
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

int make_dir(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        fprintf(stderr, "raftsim: %s exists and is not a folder\n", path);
        return -1;
    }
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "raftsim: cannot create folder %s: %s\n", path, strerror(errno));
    return -1;
}

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void scenario_stem(const char *path, char *buf, size_t cap)
{
    assert(cap > 0);
    snprintf(buf, cap, "%s", path_basename(path));
    static const char *const suffixes[] = { ".scn", ".replay" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(buf), s = strlen(suffixes[i]);
        if (n > s && strcmp(buf + n - s, suffixes[i]) == 0) {
            buf[n - s] = '\0';
            return;
        }
    }
}
