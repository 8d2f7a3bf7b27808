// A hash table of strings in C for wasm32, with no libc. Its allocator is talc: talc.h (from the
// talc-wasm package) declares malloc, calloc, realloc and free as imports from "env", which either
// `talc-wasm link` merges talc into (target/hashtable-linked.wasm: one module), or JavaScript fills
// with the functions of talc-imported.wasm working in the same memory, which this module imports
// (target/hashtable.wasm). Built by emscripten instead, it uses emscripten's own malloc, which the
// benchmark compares (bench.mjs).
//
// Each key maps to a byte string that grows by appending (a realloc'd block); the bucket array
// doubles as the table fills (calloc, free). Every call that allocates returns 0 when memory
// runs out and leaves the table as it was.

#include <stddef.h>
#include <stdint.h>
#ifdef __EMSCRIPTEN__
#include <stdlib.h>
#else
#include "talc.h"
#endif

#define EXPORT(name) __attribute__((export_name(name)))

/** A growable byte string: `len` bytes used of `cap`. */
struct value {
    uint32_t len;
    uint32_t cap;
    unsigned char data[];
};

struct entry {
    struct entry *next;
    uint32_t hash;
    uint32_t key_len;
    struct value *value;
    unsigned char key[];
};

struct table {
    struct entry **buckets;
    uint32_t bucket_count;
    uint32_t count;
};

// Bytes of this module's static data that only the start-up image writes: if the allocator
// ever wrote below its region, the check below would see it. `volatile` keeps the compiler
// from folding the check to a constant.
#define GUARD_WORDS 1024
#define GUARD_VALUE 0x5A17C0DEu
static volatile uint32_t guard[GUARD_WORDS] = {[0 ... GUARD_WORDS - 1] = GUARD_VALUE};

// The lowest block the allocator ever returned here, to check it is above this module's data
// and stack (__heap_base).
static uintptr_t lowest_block = UINTPTR_MAX;

static void *seen(void *p) {
    if (p && (uintptr_t) p < lowest_block) {
        lowest_block = (uintptr_t) p;
    }
    return p;
}

static uint32_t hash_of(const unsigned char *key, uint32_t len) {
    uint32_t h = 2166136261u;  // FNV-1a
    for (uint32_t i = 0; i < len; i++) {
        h = (h ^ key[i]) * 16777619u;
    }
    return h;
}

static int same_key(const struct entry *e, uint32_t hash, const unsigned char *key, uint32_t len) {
    if (e->hash != hash || e->key_len != len) {
        return 0;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (e->key[i] != key[i]) {
            return 0;
        }
    }
    return 1;
}

static struct entry **slot_of(struct table *t, uint32_t hash, const unsigned char *key, uint32_t len) {
    struct entry **slot = &t->buckets[hash & (t->bucket_count - 1)];
    while (*slot && !same_key(*slot, hash, key, len)) {
        slot = &(*slot)->next;
    }
    return slot;
}

/** Doubles the bucket array; when that allocation fails the table keeps its buckets. */
static void grow_buckets(struct table *t) {
    uint32_t count = t->bucket_count * 2;
    struct entry **buckets = seen(calloc(count, sizeof *buckets));
    if (!buckets) {
        return;
    }
    for (uint32_t i = 0; i < t->bucket_count; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            e->next = buckets[e->hash & (count - 1)];
            buckets[e->hash & (count - 1)] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = buckets;
    t->bucket_count = count;
}

EXPORT("table_new") struct table *table_new(void) {
    struct table *t = seen(malloc(sizeof *t));
    if (!t) {
        return 0;
    }
    t->bucket_count = 8;
    t->count = 0;
    t->buckets = seen(calloc(t->bucket_count, sizeof *t->buckets));
    if (!t->buckets) {
        free(t);
        return 0;
    }
    return t;
}

/** Appends `data` to the value of `key`, adding the key if it is new. 1, or 0 when out of memory. */
EXPORT("table_append")
int table_append(struct table *t, const unsigned char *key, uint32_t key_len, const unsigned char *data,
                 uint32_t data_len) {
    uint32_t hash = hash_of(key, key_len);
    struct entry **slot = slot_of(t, hash, key, key_len);
    struct entry *e = *slot;
    if (!e) {
        e = seen(malloc(sizeof *e + key_len));
        struct value *v = seen(malloc(sizeof *v + data_len));
        if (!e || !v) {
            free(e);
            free(v);
            return 0;
        }
        e->next = 0;
        e->hash = hash;
        e->key_len = key_len;
        __builtin_memcpy(e->key, key, key_len);
        v->len = 0;
        v->cap = data_len;
        e->value = v;
        *slot = e;
        if (++t->count > 2 * t->bucket_count) {
            grow_buckets(t);
        }
    }
    struct value *v = e->value;
    if (data_len > v->cap - v->len) {
        uint32_t cap = v->cap * 2 > v->len + data_len ? v->cap * 2 : v->len + data_len;
        v = seen(realloc(v, sizeof *v + cap));
        if (!v) {
            return 0;
        }
        v->cap = cap;
        e->value = v;
    }
    __builtin_memcpy(v->data + v->len, data, data_len);
    v->len += data_len;
    return 1;
}

/** The value of `key` ({len, cap, data}), or 0 when the key is absent. */
EXPORT("table_get") struct value *table_get(struct table *t, const unsigned char *key, uint32_t key_len) {
    struct entry *e = *slot_of(t, hash_of(key, key_len), key, key_len);
    return e ? e->value : 0;
}

/** Removes `key`; 1 when it was there. */
EXPORT("table_remove") int table_remove(struct table *t, const unsigned char *key, uint32_t key_len) {
    struct entry **slot = slot_of(t, hash_of(key, key_len), key, key_len);
    struct entry *e = *slot;
    if (!e) {
        return 0;
    }
    *slot = e->next;
    free(e->value);
    free(e);
    t->count--;
    return 1;
}

EXPORT("table_count") uint32_t table_count(struct table *t) {
    return t->count;
}

/** Frees every block of the table. */
EXPORT("table_free") void table_free(struct table *t) {
    for (uint32_t i = 0; i < t->bucket_count; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            free(e->value);
            free(e);
            e = next;
        }
    }
    free(t->buckets);
    free(t);
}

EXPORT("guard_intact") int guard_intact(void) {
    for (int i = 0; i < GUARD_WORDS; i++) {
        if (guard[i] != GUARD_VALUE) {
            return 0;
        }
    }
    return 1;
}

EXPORT("lowest_block") uintptr_t lowest_block_seen(void) {
    return lowest_block;
}

/** xorshift32: the workload's random numbers, the same in every build. */
static uint32_t next_random(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/** Writes "k" and the decimal digits of `n` to `out`; returns the length. */
static uint32_t key_text(uint32_t n, unsigned char *out) {
    unsigned char digits[10];
    uint32_t count = 0;
    do {
        digits[count++] = (unsigned char) ('0' + n % 10);
        n /= 10;
    } while (n);
    out[0] = 'k';
    for (uint32_t i = 0; i < count; i++) {
        out[1 + i] = digits[count - 1 - i];
    }
    return 1 + count;
}

/**
 * A workload run entirely in wasm, for comparing allocators: `ops` appends of 1 to 64 bytes to
 * keys drawn from `keys` of them, each eighth operation removing a key instead, on a table of its
 * own that it frees at the end. Returns a checksum of the table's contents before that (the same
 * for every correct allocator), or 0 when memory ran out.
 */
EXPORT("table_workload") uint32_t table_workload(uint32_t ops, uint32_t keys, uint32_t seed) {
    struct table *t = table_new();
    if (!t) {
        return 0;
    }
    uint32_t state = seed | 1;
    unsigned char key[11];
    unsigned char data[64];
    for (uint32_t op = 0; op < ops; op++) {
        uint32_t r = next_random(&state);
        uint32_t key_len = key_text(r % keys, key);
        if (op % 8 == 7) {
            table_remove(t, key, key_len);
            continue;
        }
        uint32_t data_len = 1 + (r >> 26);
        __builtin_memset(data, (int) (r >> 8), data_len);
        if (!table_append(t, key, key_len, data, data_len)) {
            table_free(t);
            return 0;
        }
    }
    uint32_t sum = t->count;
    for (uint32_t i = 0; i < t->bucket_count; i++) {
        for (struct entry *e = t->buckets[i]; e; e = e->next) {
            uint32_t h = e->hash;
            for (uint32_t j = 0; j < e->value->len; j++) {
                h = (h ^ e->value->data[j]) * 16777619u;
            }
            sum += h;
        }
    }
    table_free(t);
    return sum ? sum : 1;
}
