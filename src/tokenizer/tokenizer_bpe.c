/* The BPE model: split a pre-token into characters (with byte fallback and
 * unknown-token handling), then repeatedly merge the adjacent pair of lowest
 * rank, leftmost first (Sennrich et al. 2016, "Neural Machine Translation of
 * Rare Words with Subword Units", section 3.2).  The pairs live in a binary
 * heap over a linked list of symbols, so a word of n characters costs
 * O(n log n); stale heap entries are skipped when popped, as the library's
 * Word::merge_all does.  A per-call cache maps words already seen to ids. */
#include "tokenizer/tokenizer_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- word cache ------------------------------------------------------------ */

#define CACHE_MIN_SLOTS 256u         /* power of two; the table doubles as it fills */
#define CACHE_MAX_ENTRIES (1u << 15) /* entries kept per call */
#define CACHE_MAX_WORD 256           /* bytes; longer words are not cached */

typedef struct cache_slot {
    uint64_t hash;
    size_t key_off, ids_off;
    uint32_t key_len, n_ids; /* key_len 0: empty (empty words are never cached) */
} cache_slot;

struct tok_cache {
    cache_slot *slots; /* (mask + 1) */
    size_t mask, count;
    tok_buf keys;
    tok_ids ids;
};

tc_status tok_cache_new(tok_cache **cache)
{
    *cache = calloc(1, sizeof **cache);
    if (*cache == NULL)
        return TC_ENOMEM;
    (*cache)->slots = calloc(CACHE_MIN_SLOTS, sizeof *(*cache)->slots);
    if ((*cache)->slots == NULL) {
        free(*cache);
        *cache = NULL;
        return TC_ENOMEM;
    }
    (*cache)->mask = CACHE_MIN_SLOTS - 1;
    return TC_OK;
}

void tok_cache_free(tok_cache *cache)
{
    if (cache == NULL)
        return;
    free(cache->slots);
    tok_buf_free(&cache->keys);
    tok_ids_free(&cache->ids);
    free(cache);
}

static size_t cache_probe(const tok_cache *k, const char *w, size_t n, uint64_t h, bool *found)
{
    size_t i = (size_t)h & k->mask;
    *found = false;
    while (k->slots[i].key_len != 0) {
        const cache_slot *s = &k->slots[i];
        if (s->hash == h && s->key_len == n && memcmp(k->keys.p + s->key_off, w, n) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & k->mask;
    }
    return i;
}

/* Doubles the table (load stays at most 1/2).  false: keep the old one. */
static bool cache_grow(tok_cache *k)
{
    size_t size = (k->mask + 1) * 2;
    cache_slot *v = calloc(size, sizeof *v);
    if (v == NULL)
        return false;
    for (size_t i = 0; i <= k->mask; i++) {
        if (k->slots[i].key_len == 0)
            continue;
        size_t j = (size_t)k->slots[i].hash & (size - 1);
        while (v[j].key_len != 0)
            j = (j + 1) & (size - 1);
        v[j] = k->slots[i];
    }
    free(k->slots);
    k->slots = v;
    k->mask = size - 1;
    return true;
}

/* Best effort: a failed insert only loses the cache entry. */
static void cache_put(tok_cache *k, const char *w, size_t n, uint64_t h, const uint32_t *ids,
                      size_t n_ids)
{
    bool found;
    if (k->count >= CACHE_MAX_ENTRIES)
        return;
    if ((k->count + 1) * 2 > k->mask + 1 && !cache_grow(k))
        return;
    size_t slot = cache_probe(k, w, n, h, &found);
    size_t key_off = k->keys.n, ids_off = k->ids.n;
    if (found || !tok_buf_put(&k->keys, w, n))
        return;
    for (size_t i = 0; i < n_ids; i++)
        if (!tok_ids_push(&k->ids, ids[i])) {
            k->ids.n = ids_off;
            return;
        }
    k->slots[slot] = (cache_slot){h, key_off, ids_off, (uint32_t)n, (uint32_t)n_ids};
    k->count++;
}

/* ---- the merge loop ---------------------------------------------------------- */

typedef struct symbol {
    uint32_t id;
    int32_t prev, next; /* -1: none */
    uint32_t len;       /* bytes of the original word; 0: merged away */
} symbol;

typedef struct merge {
    uint32_t rank, new_id;
    int32_t pos;
} merge;

typedef struct word {
    symbol *sym;
    size_t n, cap;
    merge *heap;
    size_t hn, hcap;
} word;

static bool word_add(word *w, uint32_t id, size_t len)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 32;
        symbol *v = realloc(w->sym, cap * sizeof *v);
        if (v == NULL)
            return false;
        w->sym = v;
        w->cap = cap;
    }
    int32_t i = (int32_t)w->n;
    w->sym[i] = (symbol){id, i - 1, -1, (uint32_t)len};
    if (i > 0)
        w->sym[i - 1].next = i;
    w->n++;
    return true;
}

/* Heap order: lower rank first, then lower position. */
static bool merge_before(const merge *a, const merge *b)
{
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

static bool heap_push(word *w, merge m)
{
    if (w->hn == w->hcap) {
        size_t cap = w->hcap ? w->hcap * 2 : 32;
        merge *v = realloc(w->heap, cap * sizeof *v);
        if (v == NULL)
            return false;
        w->heap = v;
        w->hcap = cap;
    }
    size_t i = w->hn++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!merge_before(&m, &w->heap[p]))
            break;
        w->heap[i] = w->heap[p];
        i = p;
    }
    w->heap[i] = m;
    return true;
}

static merge heap_pop(word *w)
{
    merge top = w->heap[0];
    merge last = w->heap[--w->hn];
    size_t i = 0, n = w->hn;
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        const merge *bm = &last;
        if (l < n && merge_before(&w->heap[l], bm)) {
            best = l;
            bm = &w->heap[l];
        }
        if (l + 1 < n && merge_before(&w->heap[l + 1], bm))
            best = l + 1;
        if (best == i)
            break;
        w->heap[i] = w->heap[best];
        i = best;
    }
    if (n > 0)
        w->heap[i] = last;
    return top;
}

static bool push_pair(word *w, const tok_pairmap *mm, int32_t pos)
{
    const symbol *a = &w->sym[pos];
    if (a->next < 0)
        return true;
    const tok_pairmap_slot *m = tok_pairmap_get(mm, a->id, w->sym[a->next].id);
    if (m == NULL)
        return true;
    return heap_push(w, (merge){m->rank, m->new_id, pos});
}

static bool merge_all(word *w, const tok_pairmap *mm)
{
    w->hn = 0;
    for (size_t i = 0; i + 1 < w->n; i++)
        if (!push_pair(w, mm, (int32_t)i))
            return false;
    while (w->hn > 0) {
        merge top = heap_pop(w);
        symbol *cur = &w->sym[top.pos];
        if (cur->len == 0 || cur->next < 0)
            continue;
        int32_t nx = cur->next;
        symbol right = w->sym[nx];
        const tok_pairmap_slot *m = tok_pairmap_get(mm, cur->id, right.id);
        if (m == NULL || m->new_id != top.new_id)
            continue; /* stale: the pair changed since it was queued */
        cur->id = top.new_id;
        cur->len += right.len;
        cur->next = right.next;
        w->sym[nx].len = 0;
        if (right.next >= 0)
            w->sym[right.next].prev = top.pos;
        if (cur->prev >= 0 && !push_pair(w, mm, cur->prev))
            return false;
        if (!push_pair(w, mm, top.pos))
            return false;
    }
    return true;
}

/* ---- characters to initial symbols ------------------------------------------------ */

static tc_status unk_missing(tok_ctx *c)
{
    const tok_bpe *b = &c->tok->bpe;
    return tc_fail(c->err, TC_EFORMAT, "%s: unk_token \"%.*s\" is not in the vocabulary",
                   c->tok->name, (int)(b->unk_len > 40 ? 40 : b->unk_len), b->unk_token);
}

/* The library's BPE::merge_word, before merging. */
static tc_status initial_symbols(tok_ctx *c, const char *s, size_t n, word *w, tok_buf *tmp)
{
    const tok_bpe *b = &c->tok->bpe;
    bool have_unk = false;
    uint32_t unk_id = 0;
    size_t unk_len = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp, id;
        size_t k = tok_utf8_next(s + i, n - i, &cp);
        const char *sym = s + i;
        size_t sym_len = k;
        if ((i > 0 && b->prefix) || (i + k == n && b->suffix)) {
            tmp->n = 0;
            if ((i > 0 && b->prefix && !tok_buf_put(tmp, b->prefix, b->prefix_len)) ||
                !tok_buf_put(tmp, s + i, k) ||
                (i + k == n && b->suffix && !tok_buf_put(tmp, b->suffix, b->suffix_len)))
                return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
            sym = tmp->p;
            sym_len = tmp->n;
        }
        i += k;
        if (tok_strmap_get(&b->vocab, sym, sym_len, &id)) {
            if (have_unk && !word_add(w, unk_id, unk_len))
                return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
            have_unk = false;
            if (!word_add(w, id, k))
                return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
            continue;
        }
        if (b->byte_fallback) {
            bool all = true;
            for (size_t j = 0; j < sym_len; j++)
                all = all && b->byte_ids[(uint8_t)sym[j]] != TOK_NO_ID;
            if (all) {
                /* as in the library, a pending unknown stays pending here */
                for (size_t j = 0; j < sym_len; j++)
                    if (!word_add(w, b->byte_ids[(uint8_t)sym[j]], 1))
                        return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
                continue;
            }
        }
        if (!b->has_unk)
            continue; /* no unknown token: the character is dropped */
        if (have_unk && b->fuse_unk) {
            unk_len += k;
            continue;
        }
        if (have_unk && !word_add(w, unk_id, unk_len))
            return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
        if (!tok_strmap_get(&b->vocab, b->unk_token, b->unk_len, &unk_id))
            return unk_missing(c);
        have_unk = true;
        unk_len = k;
    }
    if (have_unk && !word_add(w, unk_id, unk_len))
        return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
    return TC_OK;
}

static tc_status bpe_uncached(tok_ctx *c, const char *s, size_t n, tok_ids *out)
{
    word w = {0};
    tok_buf tmp = {0};
    tc_status st = initial_symbols(c, s, n, &w, &tmp);
    if (st == TC_OK && !merge_all(&w, &c->tok->bpe.merges))
        st = tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
    for (size_t i = 0; st == TC_OK && i < w.n; i++)
        if (w.sym[i].len != 0 && !tok_ids_push(out, w.sym[i].id))
            st = tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
    free(w.sym);
    free(w.heap);
    tok_buf_free(&tmp);
    return st;
}

tc_status tok_bpe_word(tok_ctx *c, const char *s, size_t n, tok_ids *out)
{
    const tok_bpe *b = &c->tok->bpe;
    uint32_t id;
    if (n == 0)
        return TC_OK;
    if (b->ignore_merges && tok_strmap_get(&b->vocab, s, n, &id))
        return tok_ids_push(out, id) ? TC_OK
                                     : tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
    if (c->cache == NULL || n > CACHE_MAX_WORD)
        return bpe_uncached(c, s, n, out);
    uint64_t h = tok_hash(s, n);
    bool found;
    size_t slot = cache_probe(c->cache, s, n, h, &found);
    if (found) {
        const cache_slot *hit = &c->cache->slots[slot];
        for (size_t i = 0; i < hit->n_ids; i++)
            if (!tok_ids_push(out, c->cache->ids.v[hit->ids_off + i]))
                return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory");
        return TC_OK;
    }
    size_t before = out->n;
    tc_status st = bpe_uncached(c, s, n, out);
    if (st == TC_OK)
        cache_put(c->cache, s, n, h, out->n > before ? out->v + before : NULL, out->n - before);
    return st;
}
