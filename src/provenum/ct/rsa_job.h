/*
 * What the constant-time tools' programs share (ct/driver.c under memcheck,
 * bench/ct_harness.c timing signatures): reading RSA keys from a job file
 * (provenum.ct.memcheck.make_job writes them), and inverting the public
 * blinding product as Python does.  A job file has, per RSA key
 *   key BITS WORDS HWORDS EWORDS
 *   n|e|p|q|dp|dq|qinv|d HEX       big-endian hex
 *   em LABEL HEX                   encoded messages of the modulus' length
 *   end
 * Parsing branches on the key's digits: it runs before anything is marked
 * secret or timed.
 */
#ifndef PROVENUM_CT_RSA_JOB_H
#define PROVENUM_CT_RSA_JOB_H

#include <errno.h>
#include <gmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXW 128
#define MAXEM 16

struct key {
    unsigned bits;
    size_t words, hwords, ewords, nbytes;
    uint64_t n[MAXW], e[MAXW], p[MAXW], q[MAXW], dp[MAXW], dq[MAXW], qinv[MAXW], d[MAXW];
    size_t ems;
    char em_label[MAXEM][32];
    unsigned char em[MAXEM][8 * MAXW];
};

static void fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
    exit(2);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    fail("bad hex digit");
    return 0;
}

/* big-endian hex -> `words` little-endian words */
static void parse_words(uint64_t *z, size_t words, const char *hex)
{
    size_t len = strlen(hex);
    if (len > 16 * words) fail("number longer than its word count");
    memset(z, 0, words * sizeof *z);
    for (size_t i = 0; i < len; i++)
        z[i / 16] |= (uint64_t)hexval(hex[len - 1 - i]) << (4 * (i % 16));
}

static void parse_bytes(unsigned char *z, size_t nbytes, const char *hex)
{
    if (strlen(hex) != 2 * nbytes) fail("encoded message is not the modulus' length");
    for (size_t i = 0; i < nbytes; i++) z[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
}

/* the next key of the job file; 0 at the end */
static int read_key(FILE *in, struct key *k)
{
    static char line[8 * 8 * MAXW];
    memset(k, 0, sizeof *k);
    int have = 0;
    while (fgets(line, sizeof line, in)) {
        char tag[16], label[32], *value;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%15s", tag) != 1) continue;
        if (strcmp(tag, "key") == 0) {
            if (sscanf(line, "key %u %zu %zu %zu", &k->bits, &k->words, &k->hwords, &k->ewords) != 4 ||
                k->words > MAXW || k->hwords > MAXW / 2 || k->ewords > MAXW)
                fail("bad key line");
            k->nbytes = (k->bits + 7) / 8;
            have = 1;
            continue;
        }
        if (!have) fail("data before a key line");
        if (strcmp(tag, "end") == 0) return 1;
        if (strcmp(tag, "em") == 0) {
            if (sscanf(line, "em %31s", label) != 1 || k->ems == MAXEM) fail("bad em line");
            value = strrchr(line, ' ') + 1;
            strcpy(k->em_label[k->ems], label);
            parse_bytes(k->em[k->ems++], k->nbytes, value);
            continue;
        }
        value = strchr(line, ' ');
        if (!value) fail("a number line without a value");
        value++;
        if (strcmp(tag, "n") == 0) parse_words(k->n, k->words, value);
        else if (strcmp(tag, "e") == 0) parse_words(k->e, k->ewords, value);
        else if (strcmp(tag, "p") == 0) parse_words(k->p, k->hwords, value);
        else if (strcmp(tag, "q") == 0) parse_words(k->q, k->hwords, value);
        else if (strcmp(tag, "dp") == 0) parse_words(k->dp, k->hwords, value);
        else if (strcmp(tag, "dq") == 0) parse_words(k->dq, k->hwords, value);
        else if (strcmp(tag, "qinv") == 0) parse_words(k->qinv, k->hwords, value);
        else if (strcmp(tag, "d") == 0) parse_words(k->d, k->words, value);
        else fail("unknown line");
    }
    if (have) fail("key without an end line");
    return 0;
}

/* out = u^-1 mod n (big-endian, the modulus' length) with GMP, as provenum.rsa._native does:
   u is public by design.  `wrong`: u^-1 + 1 instead, which the batch must refuse. */
static void blinding_inverse(unsigned char *out, const unsigned char *u, const struct key *k, int wrong)
{
    mpz_t zu, zn, zi;
    unsigned char nb[8 * MAXW], tmp[8 * MAXW];
    size_t count = 0;
    for (size_t i = 0; i < k->nbytes; i++) nb[k->nbytes - 1 - i] = (unsigned char)(k->n[i / 8] >> (8 * (i % 8)));
    mpz_inits(zu, zn, zi, NULL);
    mpz_import(zu, k->nbytes, 1, 1, 0, 0, u);
    mpz_import(zn, k->nbytes, 1, 1, 0, 0, nb);
    if (!mpz_invert(zi, zu, zn)) fail("blinding product not invertible");
    if (wrong) mpz_add_ui(zi, zi, 1), mpz_mod(zi, zi, zn);
    mpz_export(tmp, &count, 1, 1, 0, 0, zi);
    memset(out, 0, k->nbytes);
    memcpy(out + k->nbytes - count, tmp, count);
    mpz_clears(zu, zn, zi, NULL);
}

#endif
