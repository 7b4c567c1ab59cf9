/* test_embedded.c - uuencode, yEnc and BinHex blocks cut out of texts. */
#include <string.h>

#include "mime/embedded.h"

#define CLAM_DIR "/usr/share/clamav-testfiles/"

static GPtrArray *
new_blocks (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) mg_embedded_block_free);
}

/* Read the ClamAV test file NAME (and clam.exe into *exe_r when not NULL);
 * FALSE, with the test skipped, when clamav-testfiles is not installed. */
static gboolean
read_clam (const char *name, char **data_r, GBytes **exe_r)
{
  g_autofree char *path = g_build_filename (CLAM_DIR, name, NULL);
  char *exe = NULL;
  gsize exe_len;

  if (!g_file_get_contents (path, data_r, NULL, NULL) ||
      (exe_r != NULL && !g_file_get_contents (CLAM_DIR "clam.exe", &exe, &exe_len, NULL))) {
    g_test_skip ("clamav-testfiles not installed");
    return FALSE;
  }
  if (exe_r != NULL)
    *exe_r = g_bytes_new_take (exe, exe_len);
  return TRUE;
}

/* The block at INDEX, checked for KIND and NAME. */
static MgEmbeddedBlock *
block_check (GPtrArray *blocks, guint index, const char *kind, const char *name)
{
  g_assert_cmpuint (blocks->len, >, index);
  MgEmbeddedBlock *b = blocks->pdata[index];
  g_assert_cmpstr (b->kind, ==, kind);
  g_assert_cmpstr (b->filename, ==, name);
  return b;
}

static void
assert_data (const MgEmbeddedBlock *b, const void *data, gsize len)
{
  gsize got_len;

  g_assert_nonnull (b->data);
  const char *got = g_bytes_get_data (b->data, &got_len);
  g_assert_cmpmem (got, got_len, data, len);
}

static void
test_binhex_clam (void)
{
  g_autofree char *hqx = NULL;
  g_autoptr (GBytes) exe = NULL;
  g_autoptr (GPtrArray) blocks = new_blocks ();

  if (!read_clam ("clam.exe.binhex", &hqx, &exe))
    return;
  g_autofree char *text = g_strconcat ("前の文\n", hqx, "後の文\n", NULL);
  g_autofree char *rest = mg_embedded_extract (text, blocks);
  g_assert_cmpstr (rest, ==, "前の文\n後の文\n");
  g_assert_cmpuint (blocks->len, ==, 1);
  MgEmbeddedBlock *b = block_check (blocks, 0, "binhex", "clam.exe");
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b->data);
  g_autofree char *want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, exe);
  g_assert_cmpstr (sha, ==, want);
}

static void
test_binhex_corrupt (void)
{
  g_autofree char *hqx = NULL;
  g_autoptr (GPtrArray) blocks = new_blocks ();

  if (!read_clam ("clam.exe.binhex", &hqx, NULL))
    return;
  /* one character changed in the data: the CRC catches it */
  char *c = strstr (hqx, "\n!!!!K") + 3;
  *c = 'L';
  g_autofree char *rest = mg_embedded_extract (hqx, blocks);
  g_assert_cmpstr (rest, ==, "");
  g_assert_null (block_check (blocks, 0, "binhex", "clam.exe")->data);
}

static void
test_binhex_header_only (void)
{
  const char *text = "(This file must be converted with BinHex 4.0) と書いてあります。\n"
                     "添付を確認してください。\n";
  g_autoptr (GPtrArray) blocks = new_blocks ();
  g_autofree char *rest = mg_embedded_extract (text, blocks);

  g_assert_cmpstr (rest, ==, text);
  g_assert_cmpuint (blocks->len, ==, 0);
}

static void
test_uu_mbox (void)
{
  g_autofree char *mbox = NULL;
  g_autoptr (GBytes) exe = NULL;
  g_autoptr (GPtrArray) blocks = new_blocks ();

  if (!read_clam ("clam.exe.mbox.uu", &mbox, &exe))
    return;
  const char *begin = strstr (mbox, "begin 644 clam.exe\n");
  g_assert_nonnull (begin);
  /* the file's "end" line is cut short to "e": the block ends at "`" */
  g_autofree char *before = g_strndup (mbox, begin - mbox);
  g_autofree char *expected = g_strconcat (before, "e", NULL);
  g_autofree char *rest = mg_embedded_extract (mbox, blocks);
  g_assert_cmpstr (rest, ==, expected);
  g_assert_cmpuint (blocks->len, ==, 1);
  g_assert_true (g_bytes_equal (block_check (blocks, 0, "uuencode", "clam.exe")->data, exe));
}

/* Classic uuencode of DATA, with backquotes for zero. */
static void
uu_encode (GString *out, const guchar *data, gsize len)
{
  for (gsize i = 0; i < len; i += 45) {
    gsize n = MIN (45, len - i);
    g_string_append_c (out, (char) (0x20 + n));
    for (gsize j = 0; j < n; j += 3) {
      guint32 v = 0;
      for (gsize k = 0; k < 3; k++)
        v = v << 8 | (j + k < n ? data[i + j + k] : 0);
      for (int k = 3; k >= 0; k--) {
        guint six = (v >> (6 * k)) & 0x3F;
        g_string_append_c (out, (char) (six == 0 ? '`' : 0x20 + six));
      }
    }
    g_string_append_c (out, '\n');
  }
  g_string_append (out, "`\nend\n");
}

static void
test_uu_generated (void)
{
  guchar data[1000];
  GString *text = g_string_new ("本文の前\r\n");
  g_autoptr (GPtrArray) blocks = new_blocks ();

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guchar) (i * 7 + i / 256);
  g_string_append (text, "begin 0644 見積書 (1).xlsm\n");
  uu_encode (text, data, sizeof data);
  g_string_append (text, "本文の後\n");
  g_autofree char *rest = mg_embedded_extract (text->str, blocks);
  g_assert_cmpstr (rest, ==, "本文の前\r\n本文の後\n");
  assert_data (block_check (blocks, 0, "uuencode", "見積書 (1).xlsm"), (char *) data,
               sizeof data);
  g_string_free (text, TRUE);
}

static void
test_uu_prose_and_truncated (void)
{
  g_autoptr (GPtrArray) blocks = new_blocks ();
  const char *prose = "begin 644 meeting notes\nWe begin at noon.\nend\n";
  g_autofree char *rest = mg_embedded_extract (prose, blocks);

  g_assert_cmpstr (rest, ==, prose);
  g_assert_cmpuint (blocks->len, ==, 0);

  /* header and data lines but no closing line: cut out, and undecodable */
  const char *cut = "hi\nbegin 644 a.exe\n#86)C\n#86)C\n";
  g_autofree char *rest2 = mg_embedded_extract (cut, blocks);
  g_assert_cmpstr (rest2, ==, "hi\n");
  g_assert_null (block_check (blocks, 0, "uuencode", "a.exe")->data);
}

/* yEnc of DATA (escaping NUL, LF, CR, '=' as the format requires). */
static void
yenc_encode (GString *out, const guchar *data, gsize len)
{
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) (data[i] + 42);
    if (c == 0 || c == '\n' || c == '\r' || c == '=') {
      g_string_append_c (out, '=');
      c = (guchar) (c + 64);
    }
    g_string_append_c (out, (char) c);
    if (i % 64 == 63)
      g_string_append_c (out, '\n');
  }
  g_string_append_c (out, '\n');
}

/* Bytes 214..255 and 0..85: their yEnc form is ASCII, so the text stays
 * UTF-8, and it holds every byte that must be escaped. */
static void
yenc_sample (guchar data[128])
{
  for (guint i = 0; i < 128; i++)
    data[i] = (guchar) (214 + i);
}

static void
test_yenc (void)
{
  guchar data[128];
  GString *text = g_string_new ("before\n=ybegin line=64 size=128 name=データ 1.bin\n");
  g_autoptr (GPtrArray) blocks = new_blocks ();

  yenc_sample (data);
  yenc_encode (text, data, sizeof data);
  g_string_append (text, "=yend size=128 crc32=8aa9a2bd\nafter\n");
  g_autofree char *rest = mg_embedded_extract (text->str, blocks);
  g_assert_cmpstr (rest, ==, "before\nafter\n");
  assert_data (block_check (blocks, 0, "yenc", "データ 1.bin"), data, sizeof data);
  g_string_free (text, TRUE);
}

static void
test_yenc_corrupt (void)
{
  guchar data[128];
  GString *text = g_string_new ("=ybegin part=1 total=2 line=64 size=999 name=x.bin\n"
                                "=ypart begin=1 end=128\n");
  g_autoptr (GPtrArray) blocks = new_blocks ();

  yenc_sample (data);
  yenc_encode (text, data, sizeof data);
  g_string_append (text, "=yend size=128 part=1 pcrc32=00000000\nrest\n");
  g_autofree char *rest = mg_embedded_extract (text->str, blocks);
  g_assert_cmpstr (rest, ==, "rest\n");
  g_assert_null (block_check (blocks, 0, "yenc", "x.bin")->data);

  /* no "=yend": the block runs to the end of the text */
  g_autofree char *rest2 = mg_embedded_extract ("a\n=ybegin line=128 size=3 name=y\nxyz\nb\n",
                                                blocks);
  g_assert_cmpstr (rest2, ==, "a\n");
  g_assert_null (block_check (blocks, 1, "yenc", "y")->data);
  g_string_free (text, TRUE);
}

/* Ten megabytes of text, hostile half-blocks included, in linear time. */
static void
test_large_text (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GPtrArray) blocks = new_blocks ();
  gint64 start = g_get_monotonic_time ();

  while (text->len < 5 * 1024 * 1024)
    g_string_append (text, "ふつうの文章です。begin 644 ではありません。\n");
  g_string_append (text, "begin 644 a.txt\n#86)C\n`\nend\n");
  while (text->len < 10 * 1024 * 1024)
    g_string_append (text, "begin 644 x\nM\n(This file must be converted with BinHex\n\n");
  g_autofree char *rest = mg_embedded_extract (text->str, blocks);
  g_assert_cmpuint (blocks->len, ==, 1);
  assert_data (block_check (blocks, 0, "uuencode", "a.txt"), "abc", 3);
  g_assert_cmpuint (strlen (rest), ==,
                    text->len - strlen ("begin 644 a.txt\n#86)C\n`\nend\n"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  g_string_free (text, TRUE);
}

/* Every prefix of every kind of block is handled without a fault (ASan). */
static void
test_every_prefix (void)
{
  g_autofree char *hqx = NULL;
  GString *text = g_string_new (
      g_file_get_contents (CLAM_DIR "clam.exe.binhex", &hqx, NULL, NULL) ? hqx : "");
  guchar data[128];

  yenc_sample (data);
  g_string_append (text, "=ybegin line=64 size=128 name=a\n");
  yenc_encode (text, data, sizeof data);
  g_string_append (text, "=yend size=128 crc32=8aa9a2bd\nbegin 644 b\n");
  uu_encode (text, data, sizeof data);
  for (gsize n = 0; n <= text->len; n++) {
    g_autoptr (GPtrArray) blocks = new_blocks ();
    g_autofree char *prefix = g_strndup (text->str, n);
    g_autofree char *rest = mg_embedded_extract (prefix, blocks);
    g_assert_cmpuint (strlen (rest), <=, n);
  }
  g_string_free (text, TRUE);
}

static gboolean
never_inert (GBytes *decoded, gpointer ctx)
{
  (void) decoded;
  (*(guint *) ctx)++;
  return FALSE;
}

static gboolean
always_inert (GBytes *decoded, gpointer ctx)
{
  (void) decoded;
  (*(guint *) ctx)++;
  return TRUE;
}

/* DATA as base64 lines of WIDTH characters. */
static void
b64_append (GString *text, const guchar *data, gsize len, gsize width)
{
  g_autofree char *b64 = g_base64_encode (data, len);

  for (gsize i = 0, n = strlen (b64); i < n; i += width) {
    g_string_append_len (text, b64 + i, (gssize) MIN (width, n - i));
    g_string_append_c (text, '\n');
  }
}

/* clam.exe as a PEM-style block and as bare lines: cut out whole and decoded
 * exactly when the caller says it is not inert; kept byte for byte when it
 * is; prose and short tokens around are never touched. */
static void
test_base64_runs (void)
{
  g_autoptr (GBytes) exe = NULL;
  g_autofree char *unused = NULL;
  g_autoptr (GString) text = g_string_new ("前文\nToken: dGVzdA==\n-----BEGIN X-----\n");
  gsize len;
  const guchar *data;
  guint calls = 0;

  if (!read_clam ("clam.exe", &unused, &exe))
    return;
  data = g_bytes_get_data (exe, &len);
  b64_append (text, data, len, 64);
  g_string_append (text, "-----END X-----\nmiddle\n");
  b64_append (text, data, len, 76);
  g_string_append (text, "後文\n");
  {
    g_autoptr (GPtrArray) blocks = new_blocks ();
    g_autofree char *rest = mg_embedded_extract_base64 (text->str, blocks, never_inert,
                                                        &calls);
    g_assert_cmpstr (rest, ==, "前文\nToken: dGVzdA==\nmiddle\n後文\n");
    g_assert_cmpuint (calls, ==, 2);
    assert_data (block_check (blocks, 0, "base64", NULL), data, len);
    assert_data (block_check (blocks, 1, "base64", NULL), data, len);
  }
  {
    g_autoptr (GPtrArray) blocks = new_blocks ();
    g_autofree char *rest = mg_embedded_extract_base64 (text->str, blocks, always_inert,
                                                        &calls);
    g_assert_cmpstr (rest, ==, text->str);
    g_assert_cmpuint (blocks->len, ==, 0);
  }
}

/* Past MG_EMBEDDED_B64_RUNS runs, the rest are cut without being decoded;
 * a text of long base64-looking lines costs linear time. */
static void
test_base64_many_runs (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GPtrArray) blocks = new_blocks ();
  guint calls = 0;
  guchar data[120];

  memset (data, 'A', sizeof data);
  for (guint i = 0; i < MG_EMBEDDED_B64_RUNS + 5; i++) {
    b64_append (text, data, sizeof data, 64);
    g_string_append (text, "--\n");
  }
  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP\n");
  g_autofree char *rest = mg_embedded_extract_base64 (text->str, blocks, never_inert, &calls);
  g_assert_cmpuint (calls, ==, MG_EMBEDDED_B64_RUNS); /* the long run is past them */
  g_assert_cmpuint (blocks->len, ==, MG_EMBEDDED_B64_RUNS + 6);
  for (guint i = 0; i < blocks->len; i++) {
    MgEmbeddedBlock *b = g_ptr_array_index (blocks, i);
    g_assert_true ((b->data != NULL) == (i < MG_EMBEDDED_B64_RUNS));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/embedded/binhex-clam", test_binhex_clam);
  g_test_add_func ("/embedded/binhex-corrupt", test_binhex_corrupt);
  g_test_add_func ("/embedded/binhex-header-only", test_binhex_header_only);
  g_test_add_func ("/embedded/uu-mbox", test_uu_mbox);
  g_test_add_func ("/embedded/uu-generated", test_uu_generated);
  g_test_add_func ("/embedded/uu-prose-truncated", test_uu_prose_and_truncated);
  g_test_add_func ("/embedded/yenc", test_yenc);
  g_test_add_func ("/embedded/yenc-corrupt", test_yenc_corrupt);
  g_test_add_func ("/embedded/large-text", test_large_text);
  g_test_add_func ("/embedded/every-prefix", test_every_prefix);
  g_test_add_func ("/embedded/base64-runs", test_base64_runs);
  g_test_add_func ("/embedded/base64-many-runs", test_base64_many_runs);
  return g_test_run ();
}
