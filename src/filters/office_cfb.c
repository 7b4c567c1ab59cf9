/* office_cfb.c - the OLE compound file reader of the legacy filter (see
 * office_cfb.h). Version 3 and 4 files; every sector number is checked
 * against the file and every chain walk is bounded by the number of sectors
 * the file can hold, so a hostile file costs at most one pass over itself.
 */
#include "filters/office_cfb.h"

#include <string.h>

#define END_OF_CHAIN 0xFFFFFFFEu
#define MAX_STREAM (16u << 20) /* most of a directory or mini stream read */
#define ENTRY_SIZE 128

typedef struct {
  const guint8 *data;
  gsize len;
  guint shift; /* sector size is 1 << shift */
  guint32 mini_cutoff;
  GByteArray *dir;  /* the directory stream */
  GByteArray *mini; /* the mini stream, read when needed */
  GByteArray *minifat;
} Cfb;

static guint32
u32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static guint16
u16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

static const guint8 *
sector (const Cfb *c, guint32 sid)
{
  gsize off = ((gsize) sid + 1) << c->shift;

  if (sid >= 0xFFFFFFFAu || off + ((gsize) 1 << c->shift) > c->len)
    return NULL;
  return c->data + off;
}

/* Entry I of the DIFAT: 109 in the header, the rest in a chain of sectors. */
static guint32
difat_entry (const Cfb *c, guint32 i)
{
  guint32 per = ((guint32) 1 << c->shift) / 4 - 1;
  guint32 sid = u32 (c->data + 0x44);

  if (i < 109)
    return u32 (c->data + 0x4C + 4 * i);
  i -= 109;
  for (guint32 hop = 0; hop < i / per; hop++) {
    const guint8 *s = sector (c, sid);
    if (s == NULL)
      return END_OF_CHAIN;
    sid = u32 (s + 4 * per);
  }
  const guint8 *s = sector (c, sid);
  return s != NULL ? u32 (s + 4 * (i % per)) : END_OF_CHAIN;
}

static guint32
fat_next (const Cfb *c, guint32 sid)
{
  guint32 per = ((guint32) 1 << c->shift) / 4;
  const guint8 *fat = sector (c, difat_entry (c, sid / per));

  return fat != NULL ? u32 (fat + 4 * (sid % per)) : END_OF_CHAIN;
}

/* A chain of regular sectors from START, at most MAX bytes. */
static GByteArray *
read_chain (const Cfb *c, guint32 start, gsize max)
{
  GByteArray *out = g_byte_array_new ();
  gsize steps = c->len >> c->shift;

  for (guint32 sid = start; sid != END_OF_CHAIN && out->len < max && steps-- > 0;
       sid = fat_next (c, sid)) {
    const guint8 *s = sector (c, sid);
    if (s == NULL)
      break;
    g_byte_array_append (out, s, (guint) 1 << c->shift);
  }
  return out;
}

/* At most MAX bytes of a stream in the mini stream, from mini sector START. */
static GByteArray *
read_mini_chain (Cfb *c, guint32 start, gsize max)
{
  GByteArray *out = g_byte_array_new ();
  gsize steps;

  if (c->mini == NULL) {
    const guint8 *root = c->dir->data; /* entry 0 holds the mini stream */
    c->mini = read_chain (c, u32 (root + 116), MIN (u32 (root + 120), MAX_STREAM));
    c->minifat = read_chain (c, u32 (c->data + 0x3C), MAX_STREAM);
  }
  steps = c->mini->len / 64;
  for (guint32 sid = start; sid != END_OF_CHAIN && out->len < max && steps-- > 0;) {
    if (((gsize) sid + 1) * 64 > c->mini->len || ((gsize) sid + 1) * 4 > c->minifat->len)
      break;
    g_byte_array_append (out, c->mini->data + (gsize) sid * 64, 64);
    sid = u32 (c->minifat->data + (gsize) sid * 4);
  }
  return out;
}

static gboolean
cfb_open (Cfb *c, GBytes *data)
{
  memset (c, 0, sizeof *c);
  c->data = g_bytes_get_data (data, &c->len);
  if (!mg_office_cfb_is (data))
    return FALSE;
  c->shift = u16 (c->data + 0x1E);
  if ((c->shift != 9 && c->shift != 12) || u16 (c->data + 0x20) != 6)
    return FALSE;
  c->mini_cutoff = u32 (c->data + 0x38);
  c->dir = read_chain (c, u32 (c->data + 0x30), MAX_STREAM);
  return c->dir->len >= ENTRY_SIZE;
}

static void
cfb_close (Cfb *c)
{
  g_clear_pointer (&c->dir, g_byte_array_unref);
  g_clear_pointer (&c->mini, g_byte_array_unref);
  g_clear_pointer (&c->minifat, g_byte_array_unref);
}

/* The directory entry named NAME (ASCII, any case), or NULL. */
static const guint8 *
find_entry (const Cfb *c, const char *name)
{
  gsize n = strlen (name);

  for (gsize off = 0; off + ENTRY_SIZE <= c->dir->len; off += ENTRY_SIZE) {
    const guint8 *e = c->dir->data + off;
    gboolean match = u16 (e + 64) == (n + 1) * 2 && (e[66] == 1 || e[66] == 2);
    for (gsize i = 0; match && i < n; i++)
      match = g_ascii_tolower (e[2 * i]) == g_ascii_tolower (name[i]) && e[2 * i + 1] == 0;
    if (match)
      return e;
  }
  return NULL;
}

/* The first MAX bytes (or fewer) of the stream NAME, or NULL. */
static GByteArray *
read_stream (Cfb *c, const char *name, gsize max)
{
  const guint8 *e = find_entry (c, name);
  GByteArray *out;

  if (e == NULL || e[66] != 2)
    return NULL;
  gsize size = u32 (e + 120);
  out = size < c->mini_cutoff ? read_mini_chain (c, u32 (e + 116), MIN (size, max))
                              : read_chain (c, u32 (e + 116), MIN (size, max));
  g_byte_array_set_size (out, MIN (out->len, MIN (size, max)));
  return out;
}

gboolean
mg_office_cfb_is (GBytes *data)
{
  static const guint8 magic[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  return len >= 512 && memcmp (bytes, magic, sizeof magic) == 0;
}

gboolean
mg_office_cfb_has (GBytes *data, const char *name)
{
  Cfb c;
  gboolean found = cfb_open (&c, data) && find_entry (&c, name) != NULL;

  cfb_close (&c);
  return found;
}

/* Word: the FIB's fEncrypted (0x0100) or fObfuscated (0x8000) flag. */
static gboolean
word_encrypted (Cfb *c)
{
  g_autoptr (GByteArray) fib = read_stream (c, "WordDocument", 32);

  return fib != NULL && fib->len >= 12 && u16 (fib->data) == 0xA5EC &&
         (u16 (fib->data + 0x0A) & 0x8100) != 0;
}

/* Excel: a FILEPASS record among the first records of the workbook. */
static gboolean
excel_encrypted (Cfb *c)
{
  g_autoptr (GByteArray) book = read_stream (c, "Workbook", 8192);
  gsize pos = 0;

  if (book == NULL)
    book = read_stream (c, "Book", 8192);
  for (guint n = 0; book != NULL && n < 64 && pos + 4 <= book->len; n++) {
    guint16 type = u16 (book->data + pos);
    if (type == 0x002F)
      return TRUE;
    if (type == 0x000A)
      break;
    pos += 4 + u16 (book->data + pos + 2);
  }
  return FALSE;
}

/* PowerPoint: the CurrentUser atom's header token of an encrypted file. */
static gboolean
powerpoint_encrypted (Cfb *c)
{
  g_autoptr (GByteArray) user = read_stream (c, "Current User", 16);

  return user != NULL && user->len >= 16 && u32 (user->data + 12) == 0xF3D1C4DFu;
}

gboolean
mg_office_cfb_encrypted (GBytes *data)
{
  static const char *const names[] = { "EncryptionInfo", "EncryptedPackage",
                                       "EncryptedSummary", "\006DataSpaces", NULL };
  Cfb c;
  gboolean encrypted = FALSE;

  if (!cfb_open (&c, data)) {
    cfb_close (&c);
    return FALSE;
  }
  for (guint i = 0; names[i] != NULL && !encrypted; i++)
    encrypted = find_entry (&c, names[i]) != NULL;
  encrypted = encrypted || word_encrypted (&c) || excel_encrypted (&c) ||
              powerpoint_encrypted (&c);
  cfb_close (&c);
  return encrypted;
}
