/* Loading tokenizer.json: every field is validated here, once; the encoder
 * and decoder then trust the parsed structures.  This file reads the BPE
 * model, the added tokens and the top level; tokenizer_load_components.c the
 * pipeline components, tokenizer_json.c the single fields. */
#include "tokenizer/tokenizer_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOK_MAX_FILE ((size_t)1 << 30)

/* ---- the BPE model ---------------------------------------------------------------------- */

static tc_status parse_vocab(tok_loader *L, json_t *vocab, tc_tok *tok, uint32_t *max_id)
{
    const char *key;
    json_t *v;
    size_t total = 0, off = 0;
    void *it;
    *max_id = 0;
    for (it = json_object_iter(vocab); it; it = json_object_iter_next(vocab, it)) {
        size_t klen = json_object_iter_key_len(it);
        uint32_t id;
        tc_status st = tok_load_id(L, json_object_iter_value(it), &id, "a model.vocab value");
        if (st != TC_OK)
            return st;
        if (id > *max_id)
            *max_id = id;
        total += klen + 1;
    }
    tok->arena = malloc(total + 1);
    if (tok->arena == NULL || !tok_strmap_init(&tok->bpe.vocab, json_object_size(vocab)))
        return FAIL(L, TC_ENOMEM, "%s: out of memory for the vocabulary", L->name);
    for (it = json_object_iter(vocab); it; it = json_object_iter_next(vocab, it)) {
        key = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        v = json_object_iter_value(it);
        memcpy(tok->arena + off, key, klen);
        tok->arena[off + klen] = '\0';
        if (!tok_strmap_set(&tok->bpe.vocab, tok->arena + off, klen,
                            (uint32_t)json_integer_value(v)))
            return FAIL(L, TC_ENOMEM, "%s: out of memory for the vocabulary", L->name);
        off += klen + 1;
    }
    return TC_OK;
}

static tc_status vocab_id(tok_loader *L, const tc_tok *tok, const char *s, size_t n, uint32_t *id,
                          size_t rank)
{
    if (!tok_strmap_get(&tok->bpe.vocab, s, n, id))
        return FAIL(L, TC_EFORMAT, "%s: merge %zu uses \"%.*s\", which is not in the vocabulary",
                    L->name, rank, (int)(n > 40 ? 40 : n), s);
    return TC_OK;
}

static tc_status parse_merges(tok_loader *L, json_t *merges, tc_tok *tok)
{
    tok_buf cat = {0};
    json_t *m;
    size_t i;
    tc_status st = TC_OK;
    size_t plen = tok->bpe.prefix_len;
    if (!tok_pairmap_init(&tok->bpe.merges, json_array_size(merges)))
        return FAIL(L, TC_ENOMEM, "%s: out of memory for the merges", L->name);
    json_array_foreach(merges, i, m)
    {
        const char *a, *b;
        size_t la, lb;
        if (json_is_string(m)) {
            const char *s = json_string_value(m);
            size_t n = json_string_length(m);
            const char *sp = memchr(s, ' ', n);
            if (sp == NULL) {
                st = FAIL(L, TC_EFORMAT, "%s: merge %zu is not \"a b\"", L->name, i);
                goto out;
            }
            a = s;
            la = (size_t)(sp - s);
            b = sp + 1;
            lb = n - la - 1;
        } else if (json_is_array(m) && json_array_size(m) == 2 &&
                   json_is_string(json_array_get(m, 0)) && json_is_string(json_array_get(m, 1))) {
            a = json_string_value(json_array_get(m, 0));
            la = json_string_length(json_array_get(m, 0));
            b = json_string_value(json_array_get(m, 1));
            lb = json_string_length(json_array_get(m, 1));
        } else {
            st = FAIL(L, TC_EFORMAT, "%s: merge %zu is neither \"a b\" nor [\"a\", \"b\"]",
                      L->name, i);
            goto out;
        }
        uint32_t ida, idb, idn;
        st = vocab_id(L, tok, a, la, &ida, i);
        if (st == TC_OK)
            st = vocab_id(L, tok, b, lb, &idb, i);
        if (st != TC_OK)
            goto out;
        /* merged token: a + b without its continuing-subword prefix */
        size_t skip = lb >= plen ? plen : lb;
        cat.n = 0;
        if (!tok_buf_put(&cat, a, la) || !tok_buf_put(&cat, b + skip, lb - skip)) {
            st = FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
            goto out;
        }
        st = vocab_id(L, tok, cat.p, cat.n, &idn, i);
        if (st != TC_OK)
            goto out;
        /* as in the library's hash map, a repeated pair keeps the later rank */
        tok_pairmap_set(&tok->bpe.merges, ida, idb, (uint32_t)i, idn);
    }
out:
    tok_buf_free(&cat);
    return st;
}

static tc_status parse_model(tok_loader *L, json_t *j, tc_tok *tok, uint32_t *max_id)
{
    const char *t;
    const char *s;
    size_t len;
    json_t *vocab, *merges, *dropout;
    tc_status st;
    if (!json_is_object(j))
        return FAIL(L, TC_EFORMAT, "%s: model is missing or not an object", L->name);
    t = tok_load_type(j);
    if (t == NULL && json_object_get(j, "type") != NULL)
        return FAIL(L, TC_EFORMAT, "%s: model.type is not a string", L->name);
    if (t != NULL && strcmp(t, "BPE") != 0)
        return FAIL(L, TC_EUNSUPPORTED, "%s: model \"%.40s\" is not supported (only BPE)",
                    L->name, t);
    if (t == NULL && json_object_get(j, "merges") == NULL)
        return FAIL(L, TC_EUNSUPPORTED, "%s: model without type or merges is not BPE", L->name);
    dropout = json_object_get(j, "dropout");
    if (dropout != NULL && !json_is_null(dropout)) {
        if (!json_is_number(dropout))
            return FAIL(L, TC_EFORMAT, "%s: model.dropout is not a number", L->name);
        if (json_number_value(dropout) != 0.0)
            return FAIL(L, TC_EUNSUPPORTED, "%s: BPE dropout (random encodings) is not supported",
                        L->name);
    }
    vocab = json_object_get(j, "vocab");
    merges = json_object_get(j, "merges");
    if (!json_is_object(vocab))
        return FAIL(L, TC_EFORMAT, "%s: model.vocab is missing or not an object", L->name);
    if (merges == NULL || json_is_null(merges))
        merges = NULL;
    else if (!json_is_array(merges))
        return FAIL(L, TC_EFORMAT, "%s: model.merges is not an array", L->name);
    tok_bpe *bpe = &tok->bpe;
    st = tok_load_bool(L, j, "fuse_unk", false, &bpe->fuse_unk, "model");
    if (st == TC_OK)
        st = tok_load_bool(L, j, "byte_fallback", false, &bpe->byte_fallback, "model");
    if (st == TC_OK)
        st = tok_load_bool(L, j, "ignore_merges", false, &bpe->ignore_merges, "model");
    if (st != TC_OK)
        return st;
    st = tok_load_str(L, j, "unk_token", false, &s, &len, "model");
    if (st != TC_OK)
        return st;
    if (s != NULL) {
        bpe->has_unk = true;
        bpe->unk_len = len;
        st = tok_load_dup(L, &bpe->unk_token, s, len);
        if (st != TC_OK)
            return st;
    }
    st = tok_load_str(L, j, "continuing_subword_prefix", false, &s, &len, "model");
    if (st != TC_OK)
        return st;
    if (s != NULL && len > 0) {
        bpe->prefix_len = len;
        st = tok_load_dup(L, &bpe->prefix, s, len);
        if (st != TC_OK)
            return st;
    }
    st = tok_load_str(L, j, "end_of_word_suffix", false, &s, &len, "model");
    if (st != TC_OK)
        return st;
    if (s != NULL && len > 0) {
        bpe->suffix_len = len;
        st = tok_load_dup(L, &bpe->suffix, s, len);
        if (st != TC_OK)
            return st;
    }
    st = parse_vocab(L, vocab, tok, max_id);
    if (st != TC_OK)
        return st;
    if (merges != NULL)
        st = parse_merges(L, merges, tok);
    if (st != TC_OK)
        return st;
    for (unsigned b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        if (!tok_strmap_get(&bpe->vocab, name, 6, &bpe->byte_ids[b]))
            bpe->byte_ids[b] = TOK_NO_ID;
    }
    return TC_OK;
}

/* ---- added tokens ------------------------------------------------------------------------ */

/* The id the library gives an added token: its id if the content is already
 * known (added before, or in the model vocabulary), else the next id after
 * the model vocabulary and the added tokens so far.  The library does the
 * same when it loads a file (AddedVocabulary::add_tokens); the "id" written
 * in the file only triggers a warning there when it differs. */
static uint32_t added_id(const tc_tok *tok, const char *s, size_t len, bool *have_max,
                         uint32_t *max)
{
    uint32_t id;
    size_t model_size = tok->bpe.vocab.count;
    if (!tok_strmap_get(&tok->added_map, s, len, &id) &&
        !tok_strmap_get(&tok->bpe.vocab, s, len, &id)) {
        if (!*have_max)
            id = (uint32_t)model_size;
        else
            id = (*max >= model_size || model_size == 0) ? *max + 1 : (uint32_t)model_size;
    }
    if (!*have_max || id > *max)
        *max = id;
    *have_max = true;
    return id;
}

static tc_status parse_added(tok_loader *L, json_t *arr, tc_tok *tok, uint32_t *max_id)
{
    json_t *item;
    size_t i;
    tc_status st;
    bool have_max = false;
    uint32_t max_added = 0, file_id;
    if (!tok_strmap_init(&tok->added_map, arr ? json_array_size(arr) : 0))
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    if (arr == NULL || json_is_null(arr))
        return TC_OK;
    if (!json_is_array(arr))
        return FAIL(L, TC_EFORMAT, "%s: added_tokens is not an array", L->name);
    tok->added = calloc(json_array_size(arr) + 1, sizeof *tok->added);
    if (tok->added == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    json_array_foreach(arr, i, item)
    {
        tok_added *a = &tok->added[tok->n_added];
        const char *s;
        size_t len;
        if (!json_is_object(item))
            return FAIL(L, TC_EFORMAT, "%s: added_tokens[%zu] is not an object", L->name, i);
        st = tok_load_id(L, json_object_get(item, "id"), &file_id, "an added token id");
        if (st == TC_OK)
            st = tok_load_str(L, item, "content", true, &s, &len, "added token");
        if (st == TC_OK)
            st = tok_load_bool(L, item, "special", false, &a->special, "added token");
        if (st == TC_OK)
            st = tok_load_bool(L, item, "normalized", !a->special, &a->normalized, "added token");
        if (st == TC_OK)
            st = tok_load_bool(L, item, "single_word", false, &a->single_word, "added token");
        if (st == TC_OK)
            st = tok_load_bool(L, item, "lstrip", false, &a->lstrip, "added token");
        if (st == TC_OK)
            st = tok_load_bool(L, item, "rstrip", false, &a->rstrip, "added token");
        if (st != TC_OK)
            return st;
        if (len == 0)
            continue; /* the library ignores empty added tokens */
        uint32_t known;
        if (tok_strmap_get(&tok->added_map, s, len, &known)) {
            /* the same content again: its later flags replace the earlier */
            for (size_t k = 0; k < tok->n_added; k++)
                if (tok->added[k].len == len && memcmp(tok->added[k].content, s, len) == 0) {
                    tok_added *e = &tok->added[k];
                    e->special = a->special;
                    e->normalized = a->normalized;
                    e->single_word = a->single_word;
                    e->lstrip = a->lstrip;
                    e->rstrip = a->rstrip;
                }
            continue;
        }
        a->len = len;
        st = tok_load_dup(L, &a->content, s, len);
        if (st != TC_OK)
            return st;
        a->id = added_id(tok, s, len, &have_max, &max_added);
        if (a->id >= TOK_MAX_ID)
            return FAIL(L, TC_EFORMAT, "%s: too many added tokens", L->name);
        if (!tok_strmap_set(&tok->added_map, a->content, a->len, a->id))
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        if (a->id > *max_id)
            *max_id = a->id;
        tok->n_added++;
    }
    return TC_OK;
}

/* Builds the id table and the special flags. */
static tc_status index_tokens(tok_loader *L, tc_tok *tok, uint32_t max_id)
{
    tok->n_ids = (size_t)max_id + 1;
    tok->id_str = calloc(tok->n_ids, sizeof *tok->id_str);
    tok->id_len = calloc(tok->n_ids, sizeof *tok->id_len);
    tok->id_special = calloc(tok->n_ids, 1);
    if (tok->id_str == NULL || tok->id_len == NULL || tok->id_special == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    const tok_strmap *v = &tok->bpe.vocab;
    for (size_t i = 0; i <= v->mask; i++)
        if (v->slots[i].s != NULL) {
            tok->id_str[v->slots[i].id] = (char *)v->slots[i].s;
            tok->id_len[v->slots[i].id] = v->slots[i].len;
        }
    for (size_t i = 0; i < tok->n_added; i++) {
        /* a token whose content is in the model vocabulary has its id */
        tok_added *a = &tok->added[i];
        tok->id_str[a->id] = a->content;
        tok->id_len[a->id] = (uint32_t)a->len;
        tok->id_special[a->id] = a->special;
    }
    return TC_OK;
}

/* The pattern of each added token, and the two tries (special tokens first,
 * then the others, in file order, as the library builds its matchers). */
static tc_status build_tries(tok_loader *L, tc_tok *tok)
{
    tok_ctx c = {.tok = tok, .err = L->err};
    tok_buf nb = {0};
    tc_status st = tok_matcher_init(L->err, &c.m);
    if (st != TC_OK)
        return st;
    for (int pass = 0; pass < 2 && st == TC_OK; pass++)
        for (size_t i = 0; i < tok->n_added; i++) {
            tok_added *a = &tok->added[i];
            if (a->special != (pass == 0))
                continue;
            if (a->normalized && tok->norm != NULL) {
                st = tok_normalize(&c, tok->norm, a->content, a->len, &nb);
                if (st != TC_OK)
                    break;
                st = tok_load_dup(L, &a->pattern, nb.p ? nb.p : "", nb.n);
                if (st != TC_OK)
                    break;
                a->pattern_len = nb.n;
            } else {
                st = tok_load_dup(L, &a->pattern, a->content, a->len);
                if (st != TC_OK)
                    break;
                a->pattern_len = a->len;
            }
            tok_trie *t = a->normalized ? &tok->trie_norm : &tok->trie_raw;
            if (!tok_trie_add(t, a->pattern, a->pattern_len, (int32_t)i)) {
                st = FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
                break;
            }
        }
    tok_buf_free(&nb);
    tok_segs_free(&c.segs);
    tok_matcher_free(&c.m);
    return st;
}

/* ---- top level ------------------------------------------------------------ */

static tc_status check_unsupported_top(tok_loader *L, json_t *root)
{
    json_t *tr = json_object_get(root, "truncation");
    json_t *pad = json_object_get(root, "padding");
    if (tr != NULL && !json_is_null(tr))
        return FAIL(L, TC_EUNSUPPORTED, "%s: truncation is not supported (set it to null)",
                    L->name);
    if (pad != NULL && !json_is_null(pad)) {
        /* BatchLongest padding leaves a single encoding unchanged */
        json_t *strategy = json_object_get(pad, "strategy");
        json_t *multiple = json_object_get(pad, "pad_to_multiple_of");
        if (!json_is_string(strategy) || strcmp(json_string_value(strategy), "BatchLongest") != 0 ||
            (multiple != NULL && !json_is_null(multiple)))
            return FAIL(L, TC_EUNSUPPORTED, "%s: padding other than BatchLongest is not supported",
                        L->name);
    }
    return TC_OK;
}

static tc_status parse_root(tok_loader *L, json_t *root, tc_tok *tok)
{
    json_t *j;
    uint32_t max_id = 0;
    tc_status st;
    if (!json_is_object(root))
        return FAIL(L, TC_EFORMAT, "%s: the top level is not a JSON object", L->name);
    st = check_unsupported_top(L, root);
    if (st != TC_OK)
        return st;
    st = parse_model(L, json_object_get(root, "model"), tok, &max_id);
    if (st != TC_OK)
        return st;
    st = parse_added(L, json_object_get(root, "added_tokens"), tok, &max_id);
    if (st != TC_OK)
        return st;
    st = index_tokens(L, tok, max_id);
    if (st != TC_OK)
        return st;
    j = json_object_get(root, "normalizer");
    if (j != NULL && !json_is_null(j)) {
        tok->norm = calloc(1, sizeof *tok->norm);
        if (tok->norm == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        st = tok_load_norm(L, j, tok->norm, 0);
        if (st != TC_OK)
            return st;
    }
    j = json_object_get(root, "pre_tokenizer");
    if (j != NULL && !json_is_null(j)) {
        tok->pre = calloc(1, sizeof *tok->pre);
        if (tok->pre == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        st = tok_load_pre(L, j, tok->pre, 0);
        if (st != TC_OK)
            return st;
    }
    j = json_object_get(root, "decoder");
    if (j != NULL && !json_is_null(j)) {
        tok->dec = calloc(1, sizeof *tok->dec);
        if (tok->dec == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        st = tok_load_dec(L, j, tok->dec, 0);
        if (st != TC_OK)
            return st;
    }
    tok->tmpl = calloc(1, sizeof *tok->tmpl);
    if (tok->tmpl == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    tok->tmpl[0].is_seq = true;
    tok->n_tmpl = 1;
    j = json_object_get(root, "post_processor");
    if (j != NULL && !json_is_null(j)) {
        st = tok_load_post(L, j, tok, 0);
        if (st != TC_OK)
            return st;
    }
    for (size_t i = 0; i < tok->n_tmpl; i++)
        for (size_t k = 0; k < tok->tmpl[i].n_ids; k++)
            if (tok->tmpl[i].ids[k] >= tok->n_ids || tok->id_str[tok->tmpl[i].ids[k]] == NULL)
                return FAIL(L, TC_EFORMAT, "%s: post_processor id %u is not in the vocabulary",
                            L->name, tok->tmpl[i].ids[k]);
    st = build_tries(L, tok);
    if (st != TC_OK)
        return st;
    static const char gpt2[] =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static const char ws[] = "\\w+|[^\\w\\s]+";
    st = tok_regex_compile(L->err, &tok->gpt2_re, gpt2, sizeof gpt2 - 1, "ByteLevel");
    if (st != TC_OK)
        return st;
    return tok_regex_compile(L->err, &tok->ws_re, ws, sizeof ws - 1, "Whitespace");
}

void tc_tok_free(tc_tok *tok)
{
    if (tok == NULL)
        return;
    free(tok->name);
    free(tok->arena);
    free(tok->id_str);
    free(tok->id_len);
    free(tok->id_special);
    tok_strmap_free(&tok->bpe.vocab);
    tok_pairmap_free(&tok->bpe.merges);
    free(tok->bpe.unk_token);
    free(tok->bpe.prefix);
    free(tok->bpe.suffix);
    for (size_t i = 0; tok->added != NULL && i < tok->n_added; i++) {
        free(tok->added[i].content);
        free(tok->added[i].pattern);
    }
    free(tok->added);
    tok_strmap_free(&tok->added_map);
    tok_trie_free(&tok->trie_raw);
    tok_trie_free(&tok->trie_norm);
    tok_norm_free(tok->norm);
    free(tok->norm);
    tok_pre_free(tok->pre);
    free(tok->pre);
    tok_dec_free(tok->dec);
    free(tok->dec);
    tok_tmpl_free(tok->tmpl, tok->n_tmpl);
    tok_regex_free(&tok->gpt2_re);
    tok_regex_free(&tok->ws_re);
    free(tok);
}

tc_status tc_tok_load_json(tc_error *err, tc_tok **out, const char *json, size_t len,
                           const char *name)
{
    tok_loader L = {err, name ? name : "tokenizer.json"};
    json_error_t jerr;
    json_t *root = NULL;
    tc_tok *tok = NULL;
    tc_status st;
    *out = NULL;
    if (json == NULL)
        return tc_fail(err, TC_EARG, "tc_tok_load_json: no text");
    root = json_loadb(json, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: not valid JSON at line %d column %d: %s", L.name,
                       jerr.line, jerr.column, jerr.text);
    tok = calloc(1, sizeof *tok);
    if (tok == NULL) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory", L.name);
        goto out;
    }
    st = tok_load_dup(&L, &tok->name, L.name, strlen(L.name));
    if (st != TC_OK)
        goto out;
    L.name = tok->name;
    st = parse_root(&L, root, tok);
    if (st != TC_OK)
        goto out;
    *out = tok;
    tok = NULL;
out:
    tc_tok_free(tok);
    json_decref(root);
    return st;
}

tc_status tc_tok_load(tc_error *err, tc_tok **out, const char *path)
{
    struct stat sb;
    char *file = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    tc_status st;
    *out = NULL;
    if (path == NULL)
        return tc_fail(err, TC_EARG, "tc_tok_load: no path");
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path) + sizeof "/tokenizer.json";
        file = malloc(n);
        if (file == NULL)
            return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        snprintf(file, n, "%s/tokenizer.json", path);
    }
    const char *name = file ? file : path;
    st = tc_read_file(err, &data, &len, name, TOK_MAX_FILE);
    if (st == TC_OK)
        st = tc_tok_load_json(err, out, (const char *)data, len, name);
    free(data);
    free(file);
    return st;
}
