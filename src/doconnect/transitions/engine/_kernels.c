/* The compiled loops behind doconnect.transitions.engine (describe, outcomes, distances),
 * built by setuptools at install time (setup.py), so that no call compiles anything.
 *
 * Plain C on the CPython buffer protocol: no NumPy headers, no run-time dependency.
 * The typed wrappers in kernels.py check shapes and dtypes and call these; every
 * function here trusts its input. OM and Hamming release the GIL: kernels.py runs them
 * on every core by splitting the rows among threads.
 *
 * Codes arrive as int16 (distances) or int8/int16 (the counting loops); costs as
 * float64. Arithmetic is float64 throughout and -ffp-contract=off (setup.py): no fused
 * multiply-add, so results do not depend on the CPU the code runs on.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Pairs aligned at once in the OM dynamic programme, one SIMD lane each: the innermost
 * loop runs over the lanes of a cell (contiguous doubles), as explicit packed minimum and
 * addition (GCC does not vectorise `a < b ? a : b` over doubles on its own: it emits
 * scalar vminsd). 16 lanes are four AVX2 registers (ymm) or two AVX-512 ones (zmm); the
 * running "left" and "diagonal" vectors of a row stay in registers. */
#define LANES 16

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

/* D[(T + 1) * LANES]: one DP row for all lanes, updated in place (the previous row's value
 * of a cell is read just before it is overwritten). prof[S * T * LANES]: the cost of
 * substituting state s by the other sequence's state in period j, per lane. Cells right
 * of the band are never written and keep INFINITY from the start; the cell left of the
 * band enters as INFINITY (it lies on no optimal alignment).
 *
 * min(up + indel, left + indel) is computed as min(up, left) + indel, which is the same
 * number (rounding is monotonic): one addition saved per cell. The packed minimum
 * returns its second operand unless the first is smaller, as `a < b ? a : b`. */
#define OM_BLOCK(NAME, ATTR, VT, W, LOAD, STORE, SET1, MIN, ADD)                            \
    ATTR static void NAME(const int16_t *a, int T, const double *prof, double indel,        \
                          int band, double *restrict D, double *restrict result)            \
    {                                                                                       \
        enum { V = LANES / W };                                                             \
        const VT vindel = SET1(indel);                                                      \
        for (int j = 0; j <= T; j++) {                                                      \
            VT v = SET1(j <= band ? j * indel : INFINITY);                                  \
            for (int k = 0; k < V; k++) STORE(D + j * LANES + k * W, v);                    \
        }                                                                                   \
        for (int i = 1; i <= T; i++) {                                                      \
            int low = i - band > 1 ? i - band : 1;                                          \
            int high = i + band < T ? i + band : T;                                         \
            const double *p = prof + (size_t)a[i - 1] * T * LANES;                          \
            VT left[V], diag[V];                                                            \
            if (low == 1) {                                                                 \
                VT edge = SET1(i * indel);                                                  \
                for (int k = 0; k < V; k++) {                                               \
                    diag[k] = LOAD(D + k * W);                                              \
                    left[k] = edge;                                                         \
                    STORE(D + k * W, edge);                                                 \
                }                                                                           \
            } else {                                                                        \
                for (int k = 0; k < V; k++) {                                               \
                    diag[k] = LOAD(D + (low - 1) * LANES + k * W);                          \
                    left[k] = SET1(INFINITY);                                               \
                }                                                                           \
            }                                                                               \
            for (int j = low; j <= high; j++) {                                             \
                double *d = D + j * LANES;                                                  \
                const double *pj = p + (j - 1) * LANES;                                     \
                for (int k = 0; k < V; k++) {                                               \
                    VT up = LOAD(d + k * W);                                                \
                    VT gap = ADD(MIN(up, left[k]), vindel);                                 \
                    VT sub = ADD(diag[k], LOAD(pj + k * W));                                \
                    VT v = MIN(gap, sub);                                                   \
                    diag[k] = up;                                                           \
                    left[k] = v;                                                            \
                    STORE(d + k * W, v);                                                    \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
        for (int l = 0; l < LANES; l++) result[l] = D[T * LANES + l];                       \
    }

/* Portable version, one double per "vector". */
#define S_LOAD(p) (*(p))
#define S_STORE(p, v) (*(p) = (v))
#define S_SET1(x) (x)
#define S_MIN(a, b) ((a) < (b) ? (a) : (b))
#define S_ADD(a, b) ((a) + (b))
OM_BLOCK(om_block_scalar, , double, 1, S_LOAD, S_STORE, S_SET1, S_MIN, S_ADD)

#ifdef HAVE_X86
/* SSE2 is part of x86-64: every x86-64 CPU runs this one. */
OM_BLOCK(om_block_sse2, , __m128d, 2, _mm_load_pd, _mm_store_pd, _mm_set1_pd, _mm_min_pd,
         _mm_add_pd)
OM_BLOCK(om_block_avx2, __attribute__((target("avx2"))), __m256d, 4, _mm256_load_pd,
         _mm256_store_pd, _mm256_set1_pd, _mm256_min_pd, _mm256_add_pd)
OM_BLOCK(om_block_avx512, __attribute__((target("avx512f"))), __m512d, 8, _mm512_load_pd,
         _mm512_store_pd, _mm512_set1_pd, _mm512_min_pd, _mm512_add_pd)
#endif

typedef void (*om_block_fn)(const int16_t *, int, const double *, double, int, double *,
                            double *);

/* Hamming's count of differing periods for one-byte codes (below, "Hamming"): chosen
 * with the OM kernel. */
typedef void (*ham_count_u8_fn)(const uint8_t *, const uint8_t *, int, Py_ssize_t, Py_ssize_t,
                                const double *, double *);
static void ham_count_portable_u8(const uint8_t *, const uint8_t *, int, Py_ssize_t,
                                  Py_ssize_t, const double *, double *);
#ifdef HAVE_X86
__attribute__((target("avx2,popcnt"))) static void ham_count_avx2(
    const uint8_t *, const uint8_t *, int, Py_ssize_t, Py_ssize_t, const double *, double *);
#endif
static ham_count_u8_fn ham_count_u8 = ham_count_portable_u8;

/* The widest version this CPU runs, or the one named (scalar, sse2, avx2, avx512) by
 * use_isa(): the tests compare them. */
static om_block_fn om_block = om_block_scalar;
static const char *om_isa = "scalar";

/* 1 when `want` (NULL: the widest) runs on this CPU and is now in use, else 0. */
static int choose_om_block(const char *want)
{
#ifdef HAVE_X86
    __builtin_cpu_init();
    struct { const char *name; om_block_fn fn; int ok; } isas[] = {
        {"avx512", om_block_avx512, __builtin_cpu_supports("avx512f")},
        {"avx2", om_block_avx2, __builtin_cpu_supports("avx2")},
        {"sse2", om_block_sse2, 1},
    };
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        if (!isas[k].ok || (want && strcmp(want, isas[k].name) != 0)) continue;
        om_block = isas[k].fn;
        om_isa = isas[k].name;
        /* Hamming's count: AVX2 with the AVX2 and AVX-512 kernels (every AVX-512 CPU
         * has AVX2), the portable loop with SSE2 */
        ham_count_u8 = k < 2 ? ham_count_avx2 : ham_count_portable_u8;
        return 1;
    }
#endif
    if (!want || strcmp(want, "scalar") == 0) {
        om_block = om_block_scalar;
        om_isa = "scalar";
        ham_count_u8 = ham_count_portable_u8;
        return 1;
    }
    return 0;
}

typedef struct {
    const int16_t *codes;
    Py_ssize_t n;
    int T;
    const double *sm;
    int S;
    double indel;
    double *out;
} om_problem;

typedef struct {
    double *prof;
    double *D;
    int64_t *bands;
    int64_t *order;
    double *row;
} om_work;

/* Sorting by band with a counting sort: bands are small integers (0 .. T). */
static void order_by_band(const int64_t *bands, Py_ssize_t m, int T, int64_t *order)
{
    int64_t *count = calloc((size_t)T + 2, sizeof(int64_t));
    if (!count) { /* out of memory: identity order is still correct, only slower */
        for (Py_ssize_t q = 0; q < m; q++) order[q] = q;
        return;
    }
    for (Py_ssize_t q = 0; q < m; q++) count[bands[q] + 1]++;
    for (int b = 1; b <= T + 1; b++) count[b] += count[b - 1];
    for (Py_ssize_t q = 0; q < m; q++) order[count[bands[q]]++] = q;
    free(count);
}

/* Distances of sequence r to every later sequence, into out (both halves).
 *
 * Exact band: the diagonal alignment with each substitution capped at two indels costs
 * `bound`, an upper bound of the distance. An alignment through a cell k off the
 * diagonal of two sequences of equal length has at least 2 k indels, so cells with
 * 2 k indel > bound lie on no optimal alignment and are left out. The pairs of a row are
 * sorted by their band and aligned LANES at a time (the band of a block is its widest). */
static void om_row(const om_problem *pb, om_work *w, Py_ssize_t r)
{
    const int T = pb->T, S = pb->S;
    const int16_t *a = pb->codes + r * T;
    Py_ssize_t m = pb->n - 1 - r;
    if (m <= 0) return;
    const double cap = 2.0 * pb->indel;
    for (Py_ssize_t q = 0; q < m; q++) {
        const int16_t *b = pb->codes + (r + 1 + q) * T;
        double bound = 0.0;
        for (int t = 0; t < T; t++) {
            if (a[t] != b[t]) {
                double c = pb->sm[a[t] * S + b[t]];
                bound += c < cap ? c : cap;
            }
        }
        int64_t band = (int64_t)(bound / cap) + 1; /* one more than needed: rounding */
        w->bands[q] = band < T ? band : T;
    }
    order_by_band(w->bands, m, T, w->order);
    double result[LANES];
    for (Py_ssize_t start = 0; start < m; start += LANES) {
        int lanes = m - start < LANES ? (int)(m - start) : LANES;
        /* Profile of this block: prof[s][j][l] = sm[s][b_l(j)]; empty lanes repeat the
         * first pair (their results are dropped). Only states present in a are needed
         * but S is small and the profile costs S / T of the alignment. */
        const int16_t *others[LANES];
        for (int l = 0; l < LANES; l++) {
            Py_ssize_t q = w->order[start + (l < lanes ? l : 0)];
            others[l] = pb->codes + (r + 1 + q) * T;
        }
        for (int s = 0; s < S; s++) {
            const double *sms = pb->sm + s * S;
            double *ps = w->prof + (size_t)s * T * LANES;
            for (int j = 0; j < T; j++)
                for (int l = 0; l < LANES; l++) ps[j * LANES + l] = sms[others[l][j]];
        }
        int band = (int)w->bands[w->order[start + lanes - 1]];
        om_block(a, T, w->prof, pb->indel, band, w->D, result);
        for (int l = 0; l < lanes; l++) w->row[w->order[start + l]] = result[l];
    }
    double *out = pb->out;
    Py_ssize_t n = pb->n;
    for (Py_ssize_t q = 0; q < m; q++) {
        out[r * n + r + 1 + q] = w->row[q];
        out[(r + 1 + q) * n + r] = w->row[q];
    }
}

/* ------------------------------------------------------------------------------------ */
/* Buffer helpers                                                                        */

typedef struct {
    Py_buffer view;
    int held;
} buf;

static int get_buffer(PyObject *obj, buf *b, int writable, const char *name, Py_ssize_t itemsize)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0) return -1;
    b->held = 1;
    if (b->view.itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: items of %zd bytes expected, not %zd", name,
                     itemsize, b->view.itemsize);
        return -1;
    }
    return 0;
}

static void release(buf *b)
{
    if (b->held) PyBuffer_Release(&b->view);
    b->held = 0;
}

/* om_rows(codes int16 (n, T), sm float64 (S, S), indel, out float64 (n, n), rows int64)
 * computes the rows listed (each against every later sequence), without the GIL. */
static PyObject *py_om_rows(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *sm_o, *out_o, *rows_o;
    double indel;
    int T, S;
    if (!PyArg_ParseTuple(args, "OiOidOO", &codes_o, &T, &sm_o, &S, &indel, &out_o, &rows_o))
        return NULL;
    buf codes = {0}, sm = {0}, out = {0}, rows = {0};
    PyObject *ret = NULL;
    if (get_buffer(codes_o, &codes, 0, "codes", 2) < 0 || get_buffer(sm_o, &sm, 0, "sm", 8) < 0 ||
        get_buffer(out_o, &out, 1, "out", 8) < 0 || get_buffer(rows_o, &rows, 0, "rows", 8) < 0)
        goto done;
    om_problem pb = {codes.view.buf, T ? codes.view.len / 2 / T : 0, T, sm.view.buf, S, indel,
                     out.view.buf};
    Py_ssize_t n_rows = rows.view.len / 8;
    const int64_t *row_list = rows.view.buf;
    om_work w = {0};
    size_t nm = pb.n > 0 ? (size_t)pb.n : 1;
    w.prof = aligned_alloc(64, ((size_t)S * T * LANES * sizeof(double) + 63) / 64 * 64 + 64);
    w.D = aligned_alloc(64, (((size_t)T + 1) * LANES * sizeof(double) + 63) / 64 * 64 + 64);
    w.bands = malloc(nm * sizeof(int64_t));
    w.order = malloc(nm * sizeof(int64_t));
    w.row = malloc(nm * sizeof(double));
    if (!w.prof || !w.D || !w.bands || !w.order || !w.row) {
        PyErr_NoMemory();
    } else {
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t k = 0; k < n_rows; k++) om_row(&pb, &w, (Py_ssize_t)row_list[k]);
        Py_END_ALLOW_THREADS
        ret = Py_None;
        Py_INCREF(ret);
    }
    free(w.prof);
    free(w.D);
    free(w.bands);
    free(w.order);
    free(w.row);
done:
    release(&codes);
    release(&sm);
    release(&out);
    release(&rows);
    return ret;
}

/* ------------------------------------------------------------------------------------ */
/* Hamming                                                                               */

static void hamming_row(const int16_t *codes, Py_ssize_t n, int T, const double *sm, int S,
                        double *out, Py_ssize_t i)
{
    const int16_t *a = codes + i * T;
    for (Py_ssize_t j = i + 1; j < n; j++) {
        const int16_t *b = codes + j * T;
        double cost = 0.0;
        /* No branch on a[t] != b[t]: the diagonal of sm is zero, and adding 0.0 leaves
         * the sum as it is. Unpredictable branches cost more than the additions. */
        for (int t = 0; t < T; t++) cost += sm[a[t] * S + b[t]];
        out[i * n + j] = cost;
        out[j * n + i] = cost;
    }
}

/* The whole matrix, a block of rows at a time (hamming_blocks below). Codes are uint8 or
 * int16. Each block of B rows meets the later sequences B columns at a time: the tile's
 * upper half is written along the rows of out, its mirror through a small buffer, so
 * that the lower half too is written in runs of B doubles instead of one double per
 * row of the matrix (a cache line and a TLB entry each).
 *
 * Every distance is the same number as hamming_row's: the costs of the periods summed
 * in period order from 0.0, row i's state first. With one cost c between any two
 * different states and 0 on the diagonal, adding the diagonal's 0.0 changes nothing, so
 * a pair with k differing periods costs sums[k] = c + c + ... (k times, in that order):
 * the kernel counts the differing periods (byte compares the compiler vectorises) and
 * looks the sum up. Otherwise the costs are summed, four pairs at once (four
 * independent sums, each still in period order) so that their additions overlap. */
typedef struct {
    const void *codes;
    int wide; /* int16 codes, else uint8 */
    Py_ssize_t n;
    int T;
    const double *sm;
    int S;
    double *out;
    const double *sums; /* NULL: costs differ between pairs of states */
    Py_ssize_t block;
} ham_problem;

#define HAM_KERNELS(SUFFIX, CODE)                                                           \
    static inline int ham_differ_##SUFFIX(const CODE *a, const CODE *b, int T)              \
    {                                                                                       \
        int k = 0;                                                                          \
        for (int t = 0; t < T; t++) k += a[t] != b[t];                                      \
        return k;                                                                           \
    }                                                                                       \
    /* Row a against rows js .. je - 1 with one cost: the sum of k differing periods */     \
    static void ham_count_portable_##SUFFIX(const CODE *a, const CODE *codes, int T,        \
                                            Py_ssize_t js, Py_ssize_t je,                   \
                                            const double *sums, double *row)                \
    {                                                                                       \
        for (Py_ssize_t j = js; j < je; j++)                                                \
            row[j] = sums[ham_differ_##SUFFIX(a, codes + j * T, T)];                        \
    }                                                                                       \
    /* Distances of row i (its states times S in `as`) to rows js .. je - 1 */             \
    static void ham_costs_##SUFFIX(const ham_problem *pb, const int32_t *as, Py_ssize_t js,  \
                                   Py_ssize_t je, double *d)                                \
    {                                                                                       \
        const CODE *codes = pb->codes;                                                      \
        const double *sm = pb->sm;                                                          \
        const int T = pb->T;                                                                \
        Py_ssize_t j = js;                                                                  \
        for (; j + 4 <= je; j += 4) {                                                       \
            const CODE *b0 = codes + j * T, *b1 = b0 + T, *b2 = b1 + T, *b3 = b2 + T;       \
            double c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0;                                  \
            for (int t = 0; t < T; t++) {                                                   \
                c0 += sm[as[t] + b0[t]];                                                    \
                c1 += sm[as[t] + b1[t]];                                                    \
                c2 += sm[as[t] + b2[t]];                                                    \
                c3 += sm[as[t] + b3[t]];                                                    \
            }                                                                               \
            d[j - js] = c0;                                                                 \
            d[j - js + 1] = c1;                                                             \
            d[j - js + 2] = c2;                                                             \
            d[j - js + 3] = c3;                                                             \
        }                                                                                   \
        for (; j < je; j++) {                                                               \
            const CODE *b = codes + j * T;                                                  \
            double c = 0.0;                                                                 \
            for (int t = 0; t < T; t++) c += sm[as[t] + b[t]];                              \
            d[j - js] = c;                                                                  \
        }                                                                                   \
    }                                                                                       \
    static void ham_block_##SUFFIX(const ham_problem *pb, Py_ssize_t i0, int32_t *as,       \
                                   double *tile)                                            \
    {                                                                                       \
        const CODE *codes = pb->codes;                                                      \
        const Py_ssize_t n = pb->n, B = pb->block;                                          \
        const int T = pb->T;                                                                \
        const Py_ssize_t i1 = i0 + B < n ? i0 + B : n;                                      \
        double *out = pb->out;                                                              \
        if (!pb->sums)                                                                      \
            for (Py_ssize_t i = i0; i < i1; i++)                                            \
                for (int t = 0; t < T; t++)                                                 \
                    as[(i - i0) * T + t] = (int32_t)codes[i * T + t] * pb->S;               \
        for (Py_ssize_t j0 = i0; j0 < n; j0 += B) {                                         \
            const Py_ssize_t j1 = j0 + B < n ? j0 + B : n;                                  \
            for (Py_ssize_t i = i0; i < i1; i++) {                                          \
                const Py_ssize_t js = j0 > i + 1 ? j0 : i + 1;                              \
                if (js >= j1) continue;                                                     \
                double *row = out + i * n;                                                  \
                if (pb->sums) {                                                             \
                    ham_count_##SUFFIX(codes + i * T, codes, T, js, j1, pb->sums, row);     \
                } else {                                                                    \
                    ham_costs_##SUFFIX(pb, as + (i - i0) * T, js, j1, row + js);            \
                }                                                                           \
                for (Py_ssize_t j = js; j < j1; j++) tile[(j - j0) * B + (i - i0)] = row[j]; \
            }                                                                               \
            for (Py_ssize_t j = j0; j < j1; j++) {                                          \
                const Py_ssize_t ie = i1 < j ? i1 : j; /* the rows above the diagonal */    \
                if (ie > i0)                                                                \
                    memcpy(out + j * n + i0, tile + (j - j0) * B,                           \
                           (size_t)(ie - i0) * sizeof(double));                             \
            }                                                                               \
        }                                                                                   \
    }

/* The count of differing periods for one-byte codes, chosen with the OM kernel
 * (choose_om_block): the portable loop, or AVX2 where the CPU has it. GCC vectorises the
 * portable count, but widens every byte compare to 32-bit lanes (k is an int): 8 compares
 * and 8 additions per 32 periods, against one compare, one movemask and one popcount in
 * ham_count_avx2 (the count, hence the distance, is the same number). int16 codes (more
 * than 256 states) keep the portable loop. */
#define ham_count_i16 ham_count_portable_i16

HAM_KERNELS(u8, uint8_t)
HAM_KERNELS(i16, int16_t)

#ifdef HAVE_X86
/* 32 periods per compare; the rest 8 at a time (a byte of a ^ b is non-zero where the
 * states differ: adding 0x7f to its low seven bits carries into its high bit, which
 * cannot carry into the next byte), the last few one by one. */
__attribute__((target("avx2,popcnt"))) static void ham_count_avx2(
    const uint8_t *a, const uint8_t *codes, int T, Py_ssize_t js, Py_ssize_t je,
    const double *sums, double *row)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL, high = 0x8080808080808080ULL;
    for (Py_ssize_t j = js; j < je; j++) {
        const uint8_t *b = codes + j * T;
        int k = 0, t = 0;
        for (; t + 32 <= T; t += 32) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(a + t));
            __m256i y = _mm256_loadu_si256((const __m256i *)(b + t));
            unsigned same = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, y));
            k += 32 - __builtin_popcount(same);
        }
        for (; t + 8 <= T; t += 8) {
            uint64_t x, y;
            memcpy(&x, a + t, 8);
            memcpy(&y, b + t, 8);
            uint64_t v = x ^ y;
            k += __builtin_popcountll((((v & low7) + low7) | v) & high);
        }
        for (; t < T; t++) k += a[t] != b[t];
        row[j] = sums[k];
    }
}
#endif

/* hamming_blocks(codes uint8 or int16 (n, T), T, sm float64 (S, S), S, out float64 (n, n),
 * blocks int64, block): the distances of rows block * b .. block * (b + 1) - 1 to every
 * later row, both halves of out, for each b listed; without the GIL. */
static PyObject *py_hamming_blocks(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *sm_o, *out_o, *blocks_o;
    int T, S;
    Py_ssize_t block;
    if (!PyArg_ParseTuple(args, "OiOiOOn", &codes_o, &T, &sm_o, &S, &out_o, &blocks_o, &block))
        return NULL;
    buf codes = {0}, sm = {0}, out = {0}, blocks = {0};
    PyObject *ret = NULL;
    double *sums = NULL, *tile = NULL;
    int32_t *as = NULL;
    if (PyObject_GetBuffer(codes_o, &codes.view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto done;
    codes.held = 1;
    if (codes.view.itemsize != 1 && codes.view.itemsize != 2) {
        PyErr_SetString(PyExc_TypeError, "codes: uint8 or int16 expected");
        goto done;
    }
    if (get_buffer(sm_o, &sm, 0, "sm", 8) < 0 || get_buffer(out_o, &out, 1, "out", 8) < 0 ||
        get_buffer(blocks_o, &blocks, 0, "blocks", 8) < 0)
        goto done;
    if (block < 1 || T < 1 || S < 1) {
        PyErr_SetString(PyExc_ValueError, "block, T and S must be positive");
        goto done;
    }
    ham_problem pb = {codes.view.buf, codes.view.itemsize == 2,
                      codes.view.len / codes.view.itemsize / T, T, sm.view.buf, S,
                      out.view.buf, NULL, block};
    if (sm.view.len != (Py_ssize_t)S * S * 8 || out.view.len != pb.n * pb.n * 8) {
        PyErr_SetString(PyExc_ValueError, "sm must be (S, S) and out (n, n)");
        goto done;
    }
    /* One cost between different states, zero on the diagonal: count, then look up. */
    const double *c = sm.view.buf;
    const double step = S > 1 ? c[1] : 0.0;
    int uniform = 1;
    for (int s = 0; s < S && uniform; s++)
        for (int u = 0; u < S; u++)
            if (c[s * S + u] != (s == u ? 0.0 : step)) uniform = 0;
    tile = malloc((size_t)block * block * sizeof(double));
    as = malloc(((size_t)block * T + 1) * sizeof(int32_t));
    if (uniform) sums = malloc(((size_t)T + 1) * sizeof(double));
    if (!tile || !as || (uniform && !sums)) {
        PyErr_NoMemory();
        goto done;
    }
    if (uniform) {
        sums[0] = 0.0;
        for (int k = 1; k <= T; k++) sums[k] = sums[k - 1] + step;
        pb.sums = sums;
    }
    Py_ssize_t n_blocks = blocks.view.len / 8;
    const int64_t *list = blocks.view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < n_blocks; k++) {
        Py_ssize_t i0 = (Py_ssize_t)list[k] * block;
        if (i0 >= pb.n) continue;
        if (pb.wide)
            ham_block_i16(&pb, i0, as, tile);
        else
            ham_block_u8(&pb, i0, as, tile);
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    free(sums);
    free(tile);
    free(as);
    release(&codes);
    release(&sm);
    release(&out);
    release(&blocks);
    return ret;
}

/* hamming_rows(codes int16 (n, T), T, sm float64 (S, S), S, out float64 (n, n), rows int64) */
static PyObject *py_hamming_rows(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *sm_o, *out_o, *rows_o;
    int T, S;
    if (!PyArg_ParseTuple(args, "OiOiOO", &codes_o, &T, &sm_o, &S, &out_o, &rows_o)) return NULL;
    buf codes = {0}, sm = {0}, out = {0}, rows = {0};
    PyObject *ret = NULL;
    if (get_buffer(codes_o, &codes, 0, "codes", 2) < 0 || get_buffer(sm_o, &sm, 0, "sm", 8) < 0 ||
        get_buffer(out_o, &out, 1, "out", 8) < 0 || get_buffer(rows_o, &rows, 0, "rows", 8) < 0)
        goto done;
    Py_ssize_t n = T ? codes.view.len / 2 / T : 0;
    Py_ssize_t n_rows = rows.view.len / 8;
    const int64_t *row_list = rows.view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < n_rows; k++)
        hamming_row(codes.view.buf, n, T, sm.view.buf, S, out.view.buf, (Py_ssize_t)row_list[k]);
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    release(&codes);
    release(&sm);
    release(&out);
    release(&rows);
    return ret;
}

/* ------------------------------------------------------------------------------------ */
/* Counting loops over int8 or int16 codes (negative = missing)                          */

static inline int code_at(const void *base, Py_ssize_t itemsize, Py_ssize_t k)
{
    return itemsize == 1 ? ((const int8_t *)base)[k] : ((const int16_t *)base)[k];
}

static int get_codes(PyObject *obj, buf *b, Py_ssize_t *n, Py_ssize_t T)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0) return -1;
    b->held = 1;
    if (b->view.itemsize != 1 && b->view.itemsize != 2) {
        PyErr_SetString(PyExc_TypeError, "codes: int8 or int16 expected");
        return -1;
    }
    *n = T ? b->view.len / b->view.itemsize / T : 0;
    return 0;
}

/* state_counts(codes, T, weights, out (T, S), S): out[t, c] += w[i] */
static PyObject *py_state_counts(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *w_o, *out_o;
    Py_ssize_t T;
    int S;
    if (!PyArg_ParseTuple(args, "OnOOi", &codes_o, &T, &w_o, &out_o, &S)) return NULL;
    buf codes = {0}, w = {0}, out = {0};
    PyObject *ret = NULL;
    Py_ssize_t n;
    if (get_codes(codes_o, &codes, &n, T) < 0 || get_buffer(w_o, &w, 0, "weights", 8) < 0 ||
        get_buffer(out_o, &out, 1, "out", 8) < 0)
        goto done;
    const double *wt = w.view.buf;
    double *o = out.view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t t = 0; t < T; t++) {
            int c = code_at(codes.view.buf, codes.view.itemsize, i * T + t);
            if (c >= 0) o[t * S + c] += wt[i];
        }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    release(&codes);
    release(&w);
    release(&out);
    return ret;
}

/* transition_counts(codes, T, weights, out (S, S), S): moves a -> b pooled over periods */
static PyObject *py_transition_counts(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *w_o, *out_o;
    Py_ssize_t T;
    int S;
    if (!PyArg_ParseTuple(args, "OnOOi", &codes_o, &T, &w_o, &out_o, &S)) return NULL;
    buf codes = {0}, w = {0}, out = {0};
    PyObject *ret = NULL;
    Py_ssize_t n;
    if (get_codes(codes_o, &codes, &n, T) < 0 || get_buffer(w_o, &w, 0, "weights", 8) < 0 ||
        get_buffer(out_o, &out, 1, "out", 8) < 0)
        goto done;
    const double *wt = w.view.buf;
    double *o = out.view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t t = 0; t + 1 < T; t++) {
            int a = code_at(codes.view.buf, codes.view.itemsize, i * T + t);
            int b = code_at(codes.view.buf, codes.view.itemsize, i * T + t + 1);
            if (a >= 0 && b >= 0) o[a * S + b] += wt[i];
        }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    release(&codes);
    release(&w);
    release(&out);
    return ret;
}

/* spell_counts(codes, T, weights, out (S,)): spells (maximal runs of one state) per state */
static PyObject *py_spell_counts(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *w_o, *out_o;
    Py_ssize_t T;
    if (!PyArg_ParseTuple(args, "OnOO", &codes_o, &T, &w_o, &out_o)) return NULL;
    buf codes = {0}, w = {0}, out = {0};
    PyObject *ret = NULL;
    Py_ssize_t n;
    if (get_codes(codes_o, &codes, &n, T) < 0 || get_buffer(w_o, &w, 0, "weights", 8) < 0 ||
        get_buffer(out_o, &out, 1, "out", 8) < 0)
        goto done;
    const double *wt = w.view.buf;
    double *o = out.view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int previous = -1;
        for (Py_ssize_t t = 0; t < T; t++) {
            int c = code_at(codes.view.buf, codes.view.itemsize, i * T + t);
            if (c >= 0 && c != previous) o[c] += wt[i];
            previous = c;
        }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    release(&codes);
    release(&w);
    release(&out);
    return ret;
}

/* first_exits(codes, T, origin uint8 (S,), first, last, horizon, exit_at int64 (n,),
 * outcome int64 (n,)); both outputs arrive filled with -1. See kernels.first_exits. */
static PyObject *py_first_exits(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *origin_o, *exit_o, *outcome_o;
    Py_ssize_t T, first, last, horizon;
    if (!PyArg_ParseTuple(args, "OnOnnnOO", &codes_o, &T, &origin_o, &first, &last, &horizon,
                          &exit_o, &outcome_o))
        return NULL;
    buf codes = {0}, origin = {0}, ex = {0}, oc = {0};
    PyObject *ret = NULL;
    Py_ssize_t n;
    if (get_codes(codes_o, &codes, &n, T) < 0 || get_buffer(origin_o, &origin, 0, "origin", 1) < 0 ||
        get_buffer(exit_o, &ex, 1, "exit_at", 8) < 0 || get_buffer(outcome_o, &oc, 1, "outcome", 8) < 0)
        goto done;
    const uint8_t *is_origin = origin.view.buf;
    int64_t *exit_at = ex.view.buf, *outcome = oc.view.buf;
    Py_ssize_t start = first > 1 ? first : 1;
    Py_ssize_t stop = last < T - 1 ? last : T - 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t e = start; e <= stop; e++) {
            int before = code_at(codes.view.buf, codes.view.itemsize, i * T + e - 1);
            int after = code_at(codes.view.buf, codes.view.itemsize, i * T + e);
            if (before >= 0 && after >= 0 && is_origin[before] && !is_origin[after]) {
                exit_at[i] = e;
                Py_ssize_t at = e - 1 + horizon;
                if (at >= T) {
                    outcome[i] = -2;
                } else {
                    int c = code_at(codes.view.buf, codes.view.itemsize, i * T + at);
                    outcome[i] = c < 0 ? -1 : c;
                }
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
done:
    release(&codes);
    release(&origin);
    release(&ex);
    release(&oc);
    return ret;
}

/* ------------------------------------------------------------------------------------ */
/* Reading a plain wide CSV file                                                         */

/* At most this many distinct states in the fast reading (int8 codes); more go the
 * Python way, which has int16. */
#define WIDE_STATES 126

/* wide_codes(body bytes, width, id_at, start, stop, states list[bytes] | None,
 * codes int8 (rows, stop - start), spans int64 (rows, 2)): the lines of a plain wide
 * CSV file (the part below the header) as state codes, in one pass over the bytes.
 * Every line has `width` fields separated by commas; fields start .. stop - 1 are
 * periods, an empty one missing (-1); field id_at's byte offsets go to spans. States are
 * the given ones, or those met, numbered in the order they first appear. Returns
 * (rows, states), or None for a file that is not plain: a quote, NUL, a line break
 * other than \n (which str.splitlines would see), a line with another number of fields,
 * a state not among those given, more than WIDE_STATES states. The Python reader then
 * reads the file and names the problem; empty lines are skipped by both. */
static PyObject *py_wide_codes(PyObject *self, PyObject *args)
{
    PyObject *body_o, *states_o, *codes_o, *spans_o;
    int width, id_at, start, stop;
    if (!PyArg_ParseTuple(args, "OiiiiOOO", &body_o, &width, &id_at, &start, &stop, &states_o,
                          &codes_o, &spans_o))
        return NULL;
    buf body = {0}, codes = {0}, spans = {0};
    PyObject *ret = NULL, *found = NULL;
    const char *names[WIDE_STATES];
    Py_ssize_t sizes[WIDE_STATES];
    int n_states = 0, fixed = states_o != Py_None, plain = 1;
    Py_ssize_t rows = 0;
    if (PyObject_GetBuffer(body_o, &body.view, PyBUF_SIMPLE) < 0) goto done;
    body.held = 1;
    if (get_buffer(codes_o, &codes, 1, "codes", 1) < 0 ||
        get_buffer(spans_o, &spans, 1, "spans", 8) < 0)
        goto done;
    if (width < 1 || id_at < 0 || id_at >= width || start < 0 || stop > width || start >= stop) {
        PyErr_SetString(PyExc_ValueError, "fields out of range");
        goto done;
    }
    if (fixed) {
        if (!PyList_Check(states_o) || PyList_GET_SIZE(states_o) > WIDE_STATES) {
            plain = 0; /* the Python reader: int16 codes */
            goto done;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(states_o); k++) {
            PyObject *name = PyList_GET_ITEM(states_o, k);
            if (!PyBytes_Check(name)) {
                PyErr_SetString(PyExc_TypeError, "states: bytes expected");
                goto done;
            }
            names[n_states] = PyBytes_AS_STRING(name);
            sizes[n_states++] = PyBytes_GET_SIZE(name);
        }
    }
    const unsigned char *data = body.view.buf;
    const Py_ssize_t len = body.view.len, T = stop - start;
    const Py_ssize_t capacity = codes.view.len / T;
    int8_t *out = codes.view.buf;
    int64_t *span = spans.view.buf;
    if (spans.view.len / 16 < capacity) {
        PyErr_SetString(PyExc_ValueError, "spans: fewer rows than codes");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t p = 0;
    int last = 0; /* the state of the cell before: spells make it the likely one */
    while (p < len && plain) {
        if (data[p] == '\n') { /* an empty line */
            p++;
            continue;
        }
        if (rows == capacity) {
            plain = 0;
            break;
        }
        int field = 0;
        Py_ssize_t cell = p;
        int8_t *row = out + rows * T;
        for (;; p++) {
            unsigned char c = p < len ? data[p] : '\n';
            if (c == ',' || c == '\n') {
                Py_ssize_t size = p - cell;
                if (field == id_at) {
                    span[2 * rows] = cell;
                    span[2 * rows + 1] = p;
                }
                if (field >= start && field < stop) {
                    int code = -1;
                    if (size > 0) {
                        if (last < n_states && sizes[last] == size &&
                            memcmp(names[last], data + cell, size) == 0) {
                            code = last;
                        } else {
                            for (int k = 0; k < n_states; k++)
                                if (sizes[k] == size && memcmp(names[k], data + cell, size) == 0) {
                                    code = k;
                                    break;
                                }
                        }
                        if (code < 0) {
                            if (fixed || n_states == WIDE_STATES) {
                                plain = 0;
                                break;
                            }
                            names[n_states] = (const char *)data + cell;
                            sizes[n_states] = size;
                            code = n_states++;
                        }
                        last = code;
                    }
                    row[field - start] = (int8_t)code;
                }
                field++;
                cell = p + 1;
                if (c == '\n') break;
                if (field == width) { /* more fields than the header */
                    plain = 0;
                    break;
                }
            } else if (c == '"' || c == '\0' || c == '\r' || c == 0x0b || c == 0x0c ||
                       (c >= 0x1c && c <= 0x1e) ||
                       (c == 0xc2 && p + 1 < len && data[p + 1] == 0x85) ||
                       (c == 0xe2 && p + 2 < len && data[p + 1] == 0x80 &&
                        (data[p + 2] == 0xa8 || data[p + 2] == 0xa9))) {
                plain = 0;
                break;
            }
        }
        if (plain && field != width) plain = 0;
        p++;
        rows++;
    }
    Py_END_ALLOW_THREADS
    if (!plain) goto done;
    found = PyList_New(n_states);
    if (!found) goto done;
    for (int k = 0; k < n_states; k++) {
        PyObject *name = PyBytes_FromStringAndSize(names[k], sizes[k]);
        if (!name) goto done;
        PyList_SET_ITEM(found, k, name);
    }
    ret = Py_BuildValue("nO", rows, found);
done:
    if (!plain && !PyErr_Occurred()) {
        ret = Py_None;
        Py_INCREF(ret);
    }
    Py_XDECREF(found);
    release(&body);
    release(&codes);
    release(&spans);
    return ret;
}

static PyObject *py_lanes(PyObject *self, PyObject *noargs) { return PyLong_FromLong(LANES); }

static PyObject *py_isa(PyObject *self, PyObject *noargs) { return PyUnicode_FromString(om_isa); }

/* use_isa(name): switch the OM kernel (not thread-safe: for tests); False when the CPU
 * lacks it. */
static PyObject *py_use_isa(PyObject *self, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    return PyBool_FromLong(choose_om_block(name));
}

static PyMethodDef methods[] = {
    {"om_rows", py_om_rows, METH_VARARGS, "OM distances of the given rows (GIL released)."},
    {"hamming_rows", py_hamming_rows, METH_VARARGS, "Hamming distances of the given rows."},
    {"hamming_blocks", py_hamming_blocks, METH_VARARGS,
     "Hamming distances of the given blocks of rows, both halves (GIL released)."},
    {"state_counts", py_state_counts, METH_VARARGS, "Weighted state counts per period."},
    {"transition_counts", py_transition_counts, METH_VARARGS, "Weighted transition counts."},
    {"spell_counts", py_spell_counts, METH_VARARGS, "Weighted spell counts per state."},
    {"first_exits", py_first_exits, METH_VARARGS, "First exits and their outcomes."},
    {"wide_codes", py_wide_codes, METH_VARARGS, "State codes of a plain wide CSV file."},
    {"lanes", py_lanes, METH_NOARGS, "Pairs aligned at once by the OM kernel."},
    {"isa", py_isa, METH_NOARGS, "The instruction set of the OM kernel in use."},
    {"use_isa", py_use_isa, METH_VARARGS, "Use the OM kernel for this instruction set."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Compiled loops of doconnect.transitions.engine.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__kernels(void)
{
    choose_om_block(NULL);
    return PyModule_Create(&module);
}
