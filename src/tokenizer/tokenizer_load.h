/* Internals of the tokenizer.json loader, shared by tokenizer_load.c,
 * tokenizer_load_components.c and tokenizer_json.c.  Every reader names the
 * file (L->name) and the field (`where`.key) in its error. */
#ifndef TC_TOKENIZER_LOAD_H
#define TC_TOKENIZER_LOAD_H

#include "tokenizer/tokenizer_impl.h"

typedef struct tok_loader {
    tc_error *err;
    const char *name; /* the file, for messages */
} tok_loader;

#define FAIL(L, st, ...) tc_fail((L)->err, (st), __VA_ARGS__)

/* ---- single fields (tokenizer_json.c) ------------------------------------ */

/* Absent or null fields give the default (dflt) where there is one. */
tc_status tok_load_bool(tok_loader *L, json_t *obj, const char *key, bool dflt, bool *out,
                        const char *where) TC_MUST_CHECK;
/* A string field; *s NULL when absent or null and !required. */
tc_status tok_load_str(tok_loader *L, json_t *obj, const char *key, bool required,
                       const char **s, size_t *len, const char *where) TC_MUST_CHECK;
/* *out = a NUL-terminated copy of s[0..len). */
tc_status tok_load_dup(tok_loader *L, char **out, const char *s, size_t len) TC_MUST_CHECK;
tc_status tok_load_size(tok_loader *L, json_t *obj, const char *key, size_t dflt, size_t *out,
                        const char *where) TC_MUST_CHECK;
/* A one-character string field (Metaspace replacement, Strip content). */
tc_status tok_load_char(tok_loader *L, json_t *obj, const char *key, uint32_t dflt,
                        uint32_t *out, const char *where) TC_MUST_CHECK;
/* The "type" string of a component, or NULL. */
const char *tok_load_type(json_t *obj);
/* "pattern": {"String": ...} or {"Regex": ...}. */
tc_status tok_load_pattern(tok_loader *L, json_t *obj, tok_pattern *p,
                           const char *where) TC_MUST_CHECK;
/* A Split "behavior" name. */
tc_status tok_load_behavior(tok_loader *L, json_t *obj, tok_behavior dflt, tok_behavior *out,
                            const char *where) TC_MUST_CHECK;
/* prepend_scheme, or the older add_prefix_space boolean. */
tc_status tok_load_prepend(tok_loader *L, json_t *obj, tok_prepend *out,
                           const char *where) TC_MUST_CHECK;
/* A token id in [0, TOK_MAX_ID). */
tc_status tok_load_id(tok_loader *L, json_t *v, uint32_t *id, const char *where) TC_MUST_CHECK;
/* *arr = obj[key], which must be an array. */
tc_status tok_load_array(tok_loader *L, json_t *obj, const char *key, json_t **arr,
                         const char *where) TC_MUST_CHECK;

/* ---- components (tokenizer_load_components.c) ---------------------------- */

/* Each fills a zeroed component; depth counts Sequence nesting. */
tc_status tok_load_norm(tok_loader *L, json_t *j, tok_norm *n, int depth) TC_MUST_CHECK;
tc_status tok_load_pre(tok_loader *L, json_t *j, tok_pre *p, int depth) TC_MUST_CHECK;
tc_status tok_load_dec(tok_loader *L, json_t *j, tok_dec *d, int depth) TC_MUST_CHECK;
/* Replaces tok->tmpl by the post-processor's template. */
tc_status tok_load_post(tok_loader *L, json_t *j, tc_tok *tok, int depth) TC_MUST_CHECK;
void tok_tmpl_free(tok_tmpl_elem *t, size_t n);

#endif
