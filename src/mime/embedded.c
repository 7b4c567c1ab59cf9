/* embedded.c - cut uuencode, yEnc, BinHex 4.0 blocks and base64 runs out of a
 * text.
 *
 * One pass over the lines, each looked at a bounded number of times, so a
 * 10 MB text costs linear time whatever it holds. A block is recognised by its
 * header and at least the start of its body (prose that merely begins with
 * "begin 644 ..." stays text); once recognised, its lines leave the text even
 * when the block turns out corrupt, and then its data is NULL so the pipeline
 * removes it as undecodable. Checks that the formats carry (uuencode line
 * lengths, yEnc size and CRC-32, BinHex CRC-16) decide what "corrupt" means.
 *
 * It never writes a file, never uses a block's name as a path, and never
 * leaves any part of a recognised block in the text.
 */
#include "mime/embedded.h"

#include <string.h>

#include "mime/charset.h"

/* Largest decoded block. uuencode and yEnc cannot grow, but BinHex's
 * run-length coding can (about 100 times); past this the block is corrupt.
 * (Belongs in MgLimits once this API takes the limits.) */
#define MAX_DECODED ((gsize) 64 * 1024 * 1024)

#define BINHEX_HEADER "(This file must be converted with BinHex"

typedef struct {
  const char *p; /* start of the line */
  gsize len;     /* without "\n" or "\r\n" */
  gsize next;    /* offset of the next line */
} Line;

typedef struct {
  const char *text;
  gsize len;
  GPtrArray *blocks;
  gsize kept;            /* decoded bytes held by BLOCKS, bounded by MAX_DECODED in all */
  MgEmbeddedInert inert; /* NULL: base64 runs are not looked for */
  gpointer inert_ctx;
  guint runs; /* base64 runs given to INERT */
} Scan;

/* The line of SCAN starting at POS. */
static Line
line_at (const Scan *scan, gsize pos)
{
  const char *p = scan->text + pos;
  const char *nl = memchr (p, '\n', scan->len - pos);
  Line line = { p, nl != NULL ? (gsize) (nl - p) : scan->len - pos, 0 };

  line.next = pos + line.len + (nl != NULL ? 1 : 0);
  if (line.len > 0 && p[line.len - 1] == '\r')
    line.len--;
  return line;
}

static gboolean
line_is (const Line *line, const char *word)
{
  gsize n = line->len;

  while (n > 0 && (line->p[n - 1] == ' ' || line->p[n - 1] == '\t'))
    n--;
  return n == strlen (word) && memcmp (line->p, word, n) == 0;
}

static gboolean
line_starts (const Line *line, const char *prefix)
{
  gsize n = strlen (prefix);

  return line->len >= n && memcmp (line->p, prefix, n) == 0;
}

/* A name from a block header as valid UTF-8 (raw bytes are guessed, as a
 * Japanese Mac or PC wrote them), or NULL when empty. */
static char *
block_name (const char *p, gsize len)
{
  while (len > 0 && g_ascii_isspace (*p)) {
    p++;
    len--;
  }
  while (len > 0 && g_ascii_isspace (p[len - 1]))
    len--;
  if (len == 0)
    return NULL;
  if (g_utf8_validate (p, len, NULL))
    return g_strndup (p, len);
  return mg_charset_decode (p, len, NULL, NULL);
}

/* Record a block; DATA (may be NULL: corrupt) is taken. Past MAX_DECODED
 * for all blocks of the text together, a block is kept as undecodable, so
 * many blocks cannot add up to more memory than one may use. */
static void
block_add (Scan *scan, const char *kind, char *name, GByteArray *data)
{
  MgEmbeddedBlock *block = g_new0 (MgEmbeddedBlock, 1);

  if (data != NULL && data->len > MAX_DECODED - scan->kept)
    g_clear_pointer (&data, g_byte_array_unref);
  if (data != NULL)
    scan->kept += data->len;

  block->kind = g_strdup (kind);
  block->filename = name;
  block->data = data != NULL ? g_byte_array_free_to_bytes (data) : NULL;
  g_ptr_array_add (scan->blocks, block);
}

/* --- uuencode ---------------------------------------------------------- */

/* TRUE when LINE is "begin MODE NAME"; *name_r gets the name (may be NULL). */
static gboolean
uu_header (const Line *line, char **name_r)
{
  gsize i = 6, digits = 0;

  if (!line_starts (line, "begin "))
    return FALSE;
  while (i + digits < line->len && line->p[i + digits] >= '0' && line->p[i + digits] <= '7')
    digits++;
  if (digits < 3 || digits > 4 || i + digits >= line->len || line->p[i + digits] != ' ')
    return FALSE;
  i += digits + 1;
  *name_r = block_name (line->p + i, line->len - i);
  return TRUE;
}

/* The bytes a uuencoded LINE holds (0 for the closing "`" line), or -1 when it
 * is no uuencode line: characters outside ' '..'`', or a length that does not
 * fit its count (one checksum character is allowed). */
static gssize
uu_line_count (const Line *line)
{
  if (line->len == 0 || line->p[0] < 0x20 || line->p[0] > 0x60)
    return -1;
  gsize n = (line->p[0] - 0x20) & 0x3F;
  gsize chars = line->len - 1, need = (n * 4 + 2) / 3, full = (n + 2) / 3 * 4;
  if (chars < need || chars > full + 1)
    return -1;
  for (gsize i = 1; i < line->len; i++)
    if (line->p[i] < 0x20 || line->p[i] > 0x60)
      return -1;
  return (gssize) n;
}

static void
uu_decode_line (const Line *line, gsize count, GByteArray *out)
{
  const guchar *p = (const guchar *) line->p + 1;
  gsize avail = line->len - 1;

  for (gsize done = 0, i = 0; done < count; i += 4) {
    guint32 v = 0;
    for (gsize k = 0; k < 4; k++)
      v = v << 6 | (i + k < avail ? (p[i + k] - 0x20) & 0x3F : 0);
    for (gsize k = 0; k < 3 && done < count; k++, done++) {
      guint8 b = (v >> (16 - 8 * k)) & 0xFF;
      g_byte_array_append (out, &b, 1);
    }
  }
}

/* A uuencode block at POS: its end, or 0 when there is none. */
static gsize
uu_block (Scan *scan, gsize pos)
{
  Line line = line_at (scan, pos);
  char *name = NULL;
  gssize n = -1;
  guint lines = 0;

  if (!uu_header (&line, &name))
    return 0;
  GByteArray *data = g_byte_array_new ();
  for (pos = line.next; pos < scan->len; pos = line.next, lines++) {
    line = line_at (scan, pos);
    if ((n = uu_line_count (&line)) <= 0)
      break;
    uu_decode_line (&line, n, data);
  }
  if (lines == 0) {
    g_byte_array_unref (data);
    g_free (name);
    return 0;
  }
  gboolean closed = FALSE;
  if (pos < scan->len && n == 0) {
    closed = TRUE;
    pos = line.next;
    if (pos < scan->len)
      line = line_at (scan, pos);
  }
  if (pos < scan->len && line_is (&line, "end")) {
    closed = TRUE;
    pos = line.next;
  }
  if (!closed)
    g_clear_pointer (&data, g_byte_array_unref);
  block_add (scan, "uuencode", name, data);
  return pos;
}

/* --- yEnc -------------------------------------------------------------- */

static guint32
crc32_update (guint32 crc, const guint8 *p, gsize len)
{
  crc = ~crc;
  for (gsize i = 0; i < len; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

/* The value of " KEY=" in LINE (to the next space; "name" to the end), or NULL. */
static char *
yenc_param (const Line *line, const char *key)
{
  g_autofree char *needle = g_strconcat (" ", key, "=", NULL);
  g_autofree char *copy = g_strndup (line->p, line->len);
  const char *at = strstr (copy, needle);

  if (at == NULL)
    return NULL;
  at += strlen (needle);
  if (strcmp (key, "name") == 0)
    return block_name (at, strlen (at));
  return g_strndup (at, strcspn (at, " \t"));
}

/* TRUE when the decimal or hex (BASE) value of KEY in LINE equals VALUE;
 * a missing key passes when OPTIONAL. */
static gboolean
yenc_check (const Line *line, const char *key, guint base, guint64 value, gboolean optional)
{
  g_autofree char *text = yenc_param (line, key);
  guint64 v;

  if (text == NULL)
    return optional;
  return g_ascii_string_to_unsigned (text, base, 0, G_MAXUINT64, &v, NULL) && v == value;
}

/* Decode one yEnc data line; FALSE when it ends inside an escape. */
static gboolean
yenc_decode_line (const Line *line, GByteArray *out)
{
  for (gsize i = 0; i < line->len; i++) {
    guint8 b = (guchar) line->p[i];
    if (b == '=') {
      if (++i >= line->len)
        return FALSE;
      b = (guchar) line->p[i] - 64;
    }
    b -= 42;
    g_byte_array_append (out, &b, 1);
  }
  return TRUE;
}

/* Check the "=yend" LINE against DATA; a multi-part piece carries pcrc32. */
static gboolean
yenc_trailer_ok (const Line *end, gboolean part, GByteArray *data)
{
  guint32 crc = crc32_update (0, data->data, data->len);

  return yenc_check (end, "size", 10, data->len, FALSE) &&
         yenc_check (end, part ? "pcrc32" : "crc32", 16, crc, TRUE);
}

/* Where the data of a yEnc block starts: after the "=ypart" line of a piece
 * of a multi-part file. */
static gsize
yenc_data_start (const Scan *scan, gsize pos, gboolean part)
{
  if (part && pos < scan->len) {
    Line line = line_at (scan, pos);
    if (line_starts (&line, "=ypart "))
      return line.next;
  }
  return pos;
}

/* A yEnc block at POS: its end, or 0 when there is none. Without "=yend" the
 * block runs to the end of the text and is corrupt. */
static gsize
yenc_block (Scan *scan, gsize pos)
{
  Line line = line_at (scan, pos);
  g_autofree char *size = yenc_param (&line, "size");
  g_autofree char *part = yenc_param (&line, "part");
  char *name = yenc_param (&line, "name");
  gboolean ok = TRUE;

  if (!line_starts (&line, "=ybegin ") || size == NULL || name == NULL) {
    g_free (name);
    return 0;
  }
  GByteArray *data = g_byte_array_new ();
  for (pos = yenc_data_start (scan, line.next, part != NULL); pos < scan->len;
       pos = line.next) {
    line = line_at (scan, pos);
    if (line_starts (&line, "=yend"))
      break;
    ok = yenc_decode_line (&line, data) && ok && data->len <= MAX_DECODED;
  }
  ok = ok && pos < scan->len && yenc_trailer_ok (&line, part != NULL, data);
  if (!ok)
    g_clear_pointer (&data, g_byte_array_unref);
  block_add (scan, "yenc", name, data);
  return pos < scan->len ? line.next : scan->len;
}

/* --- BinHex 4.0 -------------------------------------------------------- */

static const char binhex_alphabet[] =
    "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

static guint16
crc16_update (guint16 crc, const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++) {
    crc ^= (guint16) (p[i] << 8);
    for (int k = 0; k < 8; k++)
      crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ 0x1021) : (guint16) (crc << 1);
  }
  return crc;
}

/* Run-length decoding (0x90 marks a repeat), one byte at a time. */
typedef struct {
  const guint8 *in;
  gsize len, pos;
  guint8 last;
  guint repeat;
} Rle;

static gboolean
rle_next (Rle *rle, guint8 *byte_r)
{
  while (rle->repeat == 0) {
    if (rle->pos >= rle->len)
      return FALSE;
    guint8 b = rle->in[rle->pos++];
    if (b != 0x90) {
      rle->last = *byte_r = b;
      return TRUE;
    }
    if (rle->pos >= rle->len)
      return FALSE;
    guint8 n = rle->in[rle->pos++];
    if (n == 0) {
      rle->last = *byte_r = 0x90;
      return TRUE;
    }
    rle->repeat = n - 1; /* the previous byte N times in all; once is written */
  }
  rle->repeat--;
  *byte_r = rle->last;
  return TRUE;
}

/* Read LEN bytes from RLE into OUT (appended); FALSE when the data ends. */
static gboolean
rle_read (Rle *rle, gsize len, GByteArray *out)
{
  guint8 b;

  for (gsize i = 0; i < len; i++) {
    if (!rle_next (rle, &b))
      return FALSE;
    g_byte_array_append (out, &b, 1);
  }
  return TRUE;
}

static guint32
be_read (const guint8 *p, gsize n)
{
  guint32 v = 0;

  for (gsize i = 0; i < n; i++)
    v = v << 8 | p[i];
  return v;
}

/* The data fork of the BinHex stream PACKED (after 6-bit decoding), or NULL
 * when a header or fork CRC is wrong, the stream ends early or is too large.
 * *name_r gets the name from the header. */
static GByteArray *
binhex_data_fork (const GByteArray *packed, char **name_r)
{
  Rle rle = { packed->data, packed->len, 0, 0, 0 };
  g_autoptr (GByteArray) head = g_byte_array_new ();
  guint8 crc[2];

  if (!rle_read (&rle, 1, head) || head->data[0] < 1 || head->data[0] > 63 ||
      !rle_read (&rle, head->data[0] + 19u, head))
    return NULL;
  gsize n = head->data[0];
  guint32 dlen = be_read (head->data + n + 12, 4);
  if (!rle_read (&rle, 2, head) ||
      crc16_update (0, head->data, head->len - 2) != be_read (head->data + head->len - 2, 2) ||
      dlen > MAX_DECODED)
    return NULL;
  *name_r = block_name ((const char *) head->data + 1, n);
  GByteArray *fork = g_byte_array_sized_new (MIN (dlen, packed->len));
  if (!rle_read (&rle, dlen, fork) || !rle_next (&rle, &crc[0]) || !rle_next (&rle, &crc[1]) ||
      crc16_update (0, fork->data, fork->len) != be_read (crc, 2)) {
    g_byte_array_unref (fork);
    return NULL;
  }
  return fork;
}

/* Append the 6-bit values of LINE's characters to BITS/PACKED up to a ':'.
 * Returns 1 at the closing ':', 0 for a whole line of data, -1 for a
 * character outside the alphabet. */
static int
binhex_decode_line (const Line *line, gsize from, guint32 *bits, guint *nbits,
                    GByteArray *packed)
{
  for (gsize i = from; i < line->len; i++) {
    char c = line->p[i];
    const char *at = c != '\0' ? strchr (binhex_alphabet, c) : NULL;
    if (c == ':')
      return 1;
    if (c == ' ' || c == '\t')
      continue;
    if (at == NULL)
      return -1;
    *bits = *bits << 6 | (guint32) (at - binhex_alphabet);
    if ((*nbits += 6) >= 8) {
      *nbits -= 8;
      guint8 b = (*bits >> *nbits) & 0xFF;
      g_byte_array_append (packed, &b, 1);
    }
  }
  return 0;
}

/* After the BinHex header line at POS: the offset of the line opening the
 * data with ':' (blank lines may come between), or 0. */
static gsize
binhex_start (const Scan *scan, gsize pos)
{
  for (pos = line_at (scan, pos).next; pos < scan->len;) {
    Line line = line_at (scan, pos);
    if (line.len > 0 && line.p[0] == ':')
      return pos;
    if (!line_is (&line, ""))
      return 0;
    pos = line.next;
  }
  return 0;
}

/* A BinHex block at POS: its end, or 0 when there is none. A line with
 * characters outside the alphabet ends a corrupt block before that line. */
static gsize
binhex_block (Scan *scan, gsize pos)
{
  gsize start = binhex_start (scan, pos);
  guint32 bits = 0;
  guint nbits = 0;
  int state = 0;
  char *name = NULL;

  if (start == 0)
    return 0;
  g_autoptr (GByteArray) packed = g_byte_array_new ();
  for (pos = start; pos < scan->len && state == 0;) {
    Line line = line_at (scan, pos);
    state = binhex_decode_line (&line, pos == start ? 1 : 0, &bits, &nbits, packed);
    if (state >= 0)
      pos = line.next;
  }
  GByteArray *fork = state == 1 ? binhex_data_fork (packed, &name) : NULL;
  block_add (scan, "binhex", name, fork);
  return pos;
}

static gboolean
binhex_header (const Line *line)
{
  gsize i = 0;

  while (i < line->len && (line->p[i] == ' ' || line->p[i] == '\t'))
    i++;
  return line->len - i >= strlen (BINHEX_HEADER) &&
         memcmp (line->p + i, BINHEX_HEADER, strlen (BINHEX_HEADER)) == 0;
}

/* --- base64 runs ------------------------------------------------------- */

/* Where LINE's base64 would start: after leading blanks and quote marks
 * ("> ", ">> " of a reply), which readers strip before decoding. */
static gsize
b64_indent (const Line *line)
{
  gsize i = 0;

  while (i < line->len && (line->p[i] == ' ' || line->p[i] == '\t' || line->p[i] == '>'))
    i++;
  return i;
}

/* The length of LINE's base64 (from b64_indent, without trailing blanks) when
 * the rest of the line is all base64 (the alphabet, then at most two '='),
 * else 0; *PADDED_R tells whether it ended with '='. */
static gsize
b64_line (const Line *line, gboolean *padded_r)
{
  gsize start = b64_indent (line), n = line->len, i, pad = 0;

  while (n > start && (line->p[n - 1] == ' ' || line->p[n - 1] == '\t'))
    n--;
  i = start;
  while (i < n && (g_ascii_isalnum (line->p[i]) || line->p[i] == '+' || line->p[i] == '/'))
    i++;
  while (i + pad < n && line->p[i + pad] == '=')
    pad++;
  *padded_r = pad > 0;
  return i + pad == n && pad <= 2 ? n - start : 0;
}

/* PEM-style armour: "-----BEGIN ...-----" or "-----END ...-----". */
static gboolean
pem_line (const Line *line, const char *what)
{
  gsize n = line->len;

  while (n > 0 && (line->p[n - 1] == ' ' || line->p[n - 1] == '\t'))
    n--;
  return line_starts (line, what) && n > strlen (what) + 5 &&
         memcmp (line->p + n - 5, "-----", 5) == 0;
}

/* Armour headers ("Key: value" lines up to a blank one) after a BEGIN line. */
static gsize
pem_headers (Scan *scan, gsize pos)
{
  for (gsize start = pos; pos < scan->len;) {
    Line line = line_at (scan, pos);
    const char *colon = memchr (line.p, ':', line.len);
    if (line.len == 0)
      return line.next;
    if (colon == NULL || colon == line.p || pos - start > 4096)
      return start;
    pos = line.next;
  }
  return pos;
}

/* The base64 lines from POS into B64: the run ends after a padded line, a
 * line shorter than the first (the last of the run), or before anything that
 * is not base64. Returns the end of the run. */
static gsize
b64_lines (Scan *scan, gsize pos, gsize first_min, GString *b64)
{
  gsize first = 0;

  while (pos < scan->len) {
    Line line = line_at (scan, pos);
    gboolean padded;
    gsize n = b64_line (&line, &padded);
    if (n == 0 || (first == 0 && n < first_min) ||
        (first != 0 && n < first && (b64->len + n) % 4 != 0))
      break;
    g_string_append_len (b64, line.p + b64_indent (&line), (gssize) n);
    pos = line.next;
    if (first == 0)
      first = n;
    if (padded || n < first)
      break;
  }
  return pos;
}

/* As lenient decoders read it: characters past the last whole quantum are
 * dropped. */
static GBytes *
b64_decode (GString *b64)
{
  gsize len;
  guchar *data;

  g_string_truncate (b64, b64->len / 4 * 4);
  data = g_base64_decode (b64->str, &len);
  return g_bytes_new_take (data, len);
}

/* A base64 run (or PEM block) at POS: its end, or 0. *INERT_R is set when
 * it is one but may stay in the text as it is. */
static gsize
b64_block (Scan *scan, gsize pos, gboolean *inert_r)
{
  Line line = line_at (scan, pos);
  gboolean pem = pem_line (&line, "-----BEGIN ");
  g_autoptr (GString) b64 = g_string_new (NULL);
  g_autoptr (GBytes) data = NULL;
  gsize end = pem ? b64_lines (scan, pem_headers (scan, line.next), 4, b64)
                  : b64_lines (scan, pos, MG_EMBEDDED_B64_LINE_MIN, b64);

  if (b64->len < MG_EMBEDDED_B64_MIN)
    return 0;
  if (pem && end < scan->len) {
    Line last = line_at (scan, end);
    if (pem_line (&last, "-----END "))
      end = last.next;
  }
  data = b64_decode (b64);
  if (++scan->runs <= MG_EMBEDDED_B64_RUNS && g_bytes_get_size (data) <= MAX_DECODED &&
      scan->inert (data, scan->inert_ctx)) {
    *inert_r = TRUE;
    return end;
  }
  if (scan->runs > MG_EMBEDDED_B64_RUNS)
    g_clear_pointer (&data, g_bytes_unref);
  block_add (scan, "base64", NULL,
             data != NULL ? g_bytes_unref_to_array (g_steal_pointer (&data)) : NULL);
  return end;
}

/* --- the text ---------------------------------------------------------- */

/* A block starting at POS: its end, or 0. *INERT_R: a base64 run that stays. */
static gsize
block_at (Scan *scan, gsize pos, gboolean *inert_r)
{
  Line line = line_at (scan, pos);
  gboolean padded;

  *inert_r = FALSE;
  if (line_starts (&line, "begin "))
    return uu_block (scan, pos);
  if (line_starts (&line, "=ybegin "))
    return yenc_block (scan, pos);
  if (binhex_header (&line))
    return binhex_block (scan, pos);
  if (scan->inert != NULL && (pem_line (&line, "-----BEGIN ") ||
                              b64_line (&line, &padded) >= MG_EMBEDDED_B64_LINE_MIN))
    return b64_block (scan, pos, inert_r);
  return 0;
}

static char *
extract (Scan *scan)
{
  const char *text = scan->text;
  GString *out = g_string_sized_new (scan->len);

  for (gsize pos = 0; pos < scan->len;) {
    gboolean inert;
    gsize end = block_at (scan, pos, &inert);
    if (end > pos) {
      if (inert)
        g_string_append_len (out, text + pos, (gssize) (end - pos));
      pos = end;
      continue;
    }
    gsize next = line_at (scan, pos).next;
    g_string_append_len (out, text + pos, next - pos);
    pos = next;
  }
  return g_string_free (out, FALSE);
}

char *
mg_embedded_extract (const char *text, GPtrArray *blocks)
{
  Scan scan = { text, strlen (text), blocks, 0, NULL, NULL, 0 };

  return extract (&scan);
}

char *
mg_embedded_extract_base64 (const char *text, GPtrArray *blocks, MgEmbeddedInert inert,
                            gpointer ctx)
{
  Scan scan = { text, strlen (text), blocks, 0, inert, ctx, 0 };

  return extract (&scan);
}

void
mg_embedded_block_free (MgEmbeddedBlock *block)
{
  if (block == NULL)
    return;
  g_free (block->kind);
  g_free (block->filename);
  g_clear_pointer (&block->data, g_bytes_unref);
  g_free (block);
}
