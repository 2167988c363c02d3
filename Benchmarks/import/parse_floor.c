/* parse_floor: the cost floor of importing an .ics with libical.
 *
 * Reads the whole file into memory, parses it with icalparser_parse_string(), walks every
 * VEVENT reading DTSTART, DTEND and UID (no recurrence expansion), prints the VEVENT count,
 * and frees everything. Timings go to stderr so stdout is just the result lines.
 *
 *   gcc -O2 parse_floor.c -o parse_floor $(pkg-config --cflags --libs libical)
 *   ./parse_floor FILE.ics
 *
 * Exit status: 0 ok, 1 unreadable or unparsable file, 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) { fclose(f); return NULL; }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) { perror(path); free(buf); fclose(f); return NULL; }
            break;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) { free(buf); fclose(f); return NULL; }
        buf = nb;
    }
    fclose(f);
    buf[n] = '\0';  /* icalparser_parse_string wants a C string (stops at an embedded NUL) */
    *len = n;
    return buf;
}

struct tally {
    size_t vevents, with_dtend, with_uid, parse_errors;
    unsigned long check;  /* consumes the values read so the walk cannot be optimised away */
};

static void walk_event(icalcomponent *ev, struct tally *t) {
    t->vevents++;
    struct icaltimetype s = icalcomponent_get_dtstart(ev);
    struct icaltimetype e = icalcomponent_get_dtend(ev);  /* DTEND, or DTSTART + DURATION */
    const char *uid = icalcomponent_get_uid(ev);
    if (!icaltime_is_null_time(e)) t->with_dtend++;
    if (uid) { t->with_uid++; t->check += strlen(uid); }
    t->check += (unsigned long)(s.year * 400 + s.month * 31 + s.day) + (unsigned long)e.hour;
    t->parse_errors += icalcomponent_count_properties(ev, ICAL_XLICERROR_PROPERTY);
}

static void walk(icalcomponent *c, struct tally *t) {
    if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT) { walk_event(c, t); return; }
    t->parse_errors += icalcomponent_count_properties(c, ICAL_XLICERROR_PROPERTY);
    /* VCALENDAR holds VEVENTs; XROOT (several VCALENDARs in one file) holds VCALENDARs */
    for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(s);
        if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VCALENDAR_COMPONENT ||
            k == ICAL_XROOT_COMPONENT)
            walk(s, t);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.ics\n", argv[0]); return 2; }
    double t0 = now();
    size_t len;
    char *buf = slurp(argv[1], &len);
    if (!buf) return 1;
    double t1 = now();
    icalcomponent *root = icalparser_parse_string(buf);
    double t2 = now();
    if (!root) {
        fprintf(stderr, "%s: libical could not parse the file (%s)\n", argv[1],
                icalerror_strerror(icalerrno));
        free(buf);
        return 1;
    }
    struct tally t = {0};
    walk(root, &t);
    double t3 = now();
    icalcomponent_free(root);
    free(buf);
    icaltimezone_free_builtin_timezones();
    double t4 = now();

    printf("VEVENTs: %zu\n", t.vevents);
    printf("with DTEND/DURATION: %zu, with UID: %zu, libical X-LIC-ERRORs: %zu (check %lu)\n",
           t.with_dtend, t.with_uid, t.parse_errors, t.check);
    fprintf(stderr, "bytes %zu | read %.3f s | parse %.3f s | walk %.3f s | free %.3f s | "
            "total %.3f s\n", len, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0);
    return 0;
}
