/* Tokenizer support: the string and pair hash tables and the added-token
 * trie. */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>

/* ---- hash tables ----------------------------------------------------------- */

uint64_t tok_hash(const void *s, size_t n)
{
    /* FNV-1a, then a final avalanche (splitmix64's mixer). */
    const uint8_t *p = s;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static size_t table_size(size_t expected)
{
    size_t n = 16;
    while (n < expected * 2 + 1 && n < ((size_t)1 << 40))
        n *= 2;
    return n;
}

bool tok_strmap_init(tok_strmap *m, size_t expected)
{
    size_t n = table_size(expected);
    m->slots = calloc(n, sizeof *m->slots);
    m->mask = n - 1;
    m->count = 0;
    return m->slots != NULL;
}

static bool strmap_grow(tok_strmap *m)
{
    tok_strmap bigger;
    if (!tok_strmap_init(&bigger, (m->mask + 1)))
        return false;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->slots[i].s != NULL)
            tok_strmap_set(&bigger, m->slots[i].s, m->slots[i].len, m->slots[i].id);
    free(m->slots);
    *m = bigger;
    return true;
}

bool tok_strmap_set(tok_strmap *m, const char *s, size_t len, uint32_t id)
{
    if ((m->count + 1) * 2 > m->mask + 1 && !strmap_grow(m))
        return false;
    size_t i = (size_t)tok_hash(s, len) & m->mask;
    while (m->slots[i].s != NULL) {
        if (m->slots[i].len == len && memcmp(m->slots[i].s, s, len) == 0) {
            m->slots[i].id = id;
            return true;
        }
        i = (i + 1) & m->mask;
    }
    m->slots[i] = (tok_strmap_slot){s, (uint32_t)len, id};
    m->count++;
    return true;
}

bool tok_strmap_get(const tok_strmap *m, const char *s, size_t len, uint32_t *id)
{
    if (m->slots == NULL)
        return false;
    size_t i = (size_t)tok_hash(s, len) & m->mask;
    while (m->slots[i].s != NULL) {
        if (m->slots[i].len == len && memcmp(m->slots[i].s, s, len) == 0) {
            *id = m->slots[i].id;
            return true;
        }
        i = (i + 1) & m->mask;
    }
    return false;
}

void tok_strmap_free(tok_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return ((uint64_t)a << 32) | b;
}

static size_t pair_slot(uint64_t key, size_t mask)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h ^ (h >> 29)) & mask;
}

bool tok_pairmap_init(tok_pairmap *m, size_t expected)
{
    size_t n = table_size(expected);
    m->slots = malloc(n * sizeof *m->slots);
    if (m->slots == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        m->slots[i].key = UINT64_MAX;
    m->mask = n - 1;
    m->count = 0;
    return true;
}

/* The table is sized for every merge up front, so it never fills. */
void tok_pairmap_set(tok_pairmap *m, uint32_t a, uint32_t b, uint32_t rank, uint32_t new_id)
{
    uint64_t key = pair_key(a, b);
    size_t i = pair_slot(key, m->mask);
    while (m->slots[i].key != UINT64_MAX && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    if (m->slots[i].key == UINT64_MAX)
        m->count++;
    m->slots[i] = (tok_pairmap_slot){key, rank, new_id};
}

const tok_pairmap_slot *tok_pairmap_get(const tok_pairmap *m, uint32_t a, uint32_t b)
{
    if (m->count == 0)
        return NULL;
    uint64_t key = pair_key(a, b);
    size_t i = pair_slot(key, m->mask);
    while (m->slots[i].key != UINT64_MAX) {
        if (m->slots[i].key == key)
            return &m->slots[i];
        i = (i + 1) & m->mask;
    }
    return NULL;
}

void tok_pairmap_free(tok_pairmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

/* ---- added-token trie --------------------------------------------------------- */

static bool trie_node(tok_trie *t, uint8_t byte, uint32_t *idx)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tok_trie_node *v = realloc(t->nodes, cap * sizeof *v);
        if (v == NULL)
            return false;
        t->nodes = v;
        t->cap = cap;
    }
    t->nodes[t->n] = (tok_trie_node){0, 0, -1, byte};
    *idx = (uint32_t)t->n++;
    return true;
}

bool tok_trie_add(tok_trie *t, const char *s, size_t n, int32_t token)
{
    uint32_t cur;
    if (t->n == 0 && !trie_node(t, 0, &cur))
        return false;
    if (n == 0)
        return true;
    cur = 0;
    t->first[(uint8_t)s[0] >> 3] |= (uint8_t)(1u << ((uint8_t)s[0] & 7));
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        uint32_t c = t->nodes[cur].first_child;
        while (c != 0 && t->nodes[c].byte != b)
            c = t->nodes[c].next_sibling;
        if (c == 0) {
            if (!trie_node(t, b, &c))
                return false;
            t->nodes[c].next_sibling = t->nodes[cur].first_child;
            t->nodes[cur].first_child = c;
        }
        cur = c;
    }
    if (t->nodes[cur].token < 0)
        t->nodes[cur].token = token; /* the first of identical patterns wins */
    return true;
}

int32_t tok_trie_longest(const tok_trie *t, const char *s, size_t n, size_t *len)
{
    int32_t best = -1;
    if (t->n == 0 || n == 0 || !(t->first[(uint8_t)s[0] >> 3] & (1u << ((uint8_t)s[0] & 7))))
        return -1;
    uint32_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        uint32_t c = t->nodes[cur].first_child;
        while (c != 0 && t->nodes[c].byte != b)
            c = t->nodes[c].next_sibling;
        if (c == 0)
            break;
        cur = c;
        if (t->nodes[cur].token >= 0) {
            best = t->nodes[cur].token;
            *len = i + 1;
        }
    }
    return best;
}

void tok_trie_free(tok_trie *t)
{
    free(t->nodes);
    t->nodes = NULL;
    t->n = t->cap = 0;
}
