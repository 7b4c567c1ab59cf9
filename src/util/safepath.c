/* safepath.c - untrusted names as relative paths that cannot escape (see safepath.h). */
#include "util/safepath.h"

#include <string.h>

#define MG_SAFEPATH_MAX_DEPTH 64
#define MG_SAFEPATH_MAX_LENGTH 1024

/* Characters that must not reach a file name: controls, bidi and other
 * invisible format characters that disguise an extension, the replacement
 * character, separators and what Windows reserves. */
static gboolean
unsafe_char (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff ||
         c == 0xfffd ||
         (c < 0x80 && strchr ("/\\:*?\"<>|", (int) c) != NULL); /* strchr sees one byte */
}

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension: Windows
 * opens the device whatever the folder. */
static gboolean
windows_device (const char *name)
{
  static const char *const devices[] = { "CON", "PRN", "AUX", "NUL", NULL };
  gsize stem = strcspn (name, ".");

  for (guint i = 0; devices[i] != NULL; i++)
    if (stem == 3 && g_ascii_strncasecmp (name, devices[i], 3) == 0)
      return TRUE;
  return stem == 4 &&
         (g_ascii_strncasecmp (name, "COM", 3) == 0 ||
          g_ascii_strncasecmp (name, "LPT", 3) == 0) &&
         name[3] >= '1' && name[3] <= '9';
}

char *
mg_safepath_component (const char *name, gsize max)
{
  GString *out;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (out->len + 6 > max)
      break;
    if (unsafe_char (c))
      g_string_append_c (out, '_');
    else
      g_string_append_unichar (out, c);
  }
  while (out->len > 0 && strchr (". ", out->str[out->len - 1]) != NULL)
    g_string_truncate (out, out->len - 1);
  while (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  if (windows_device (out->str))
    g_string_prepend_c (out, '_');
  if (out->len == 0) {
    g_string_free (out, TRUE);
    return NULL;
  }
  return g_string_free (out, FALSE);
}

/* A component made of dots and spaces only: "." is nothing, anything else
 * ("..", "...", ". .") is what Windows or Unix read as a parent. */
static gboolean
only_dots (const char *component)
{
  return component[strspn (component, ". ")] == '\0';
}

/* Why NAME cannot be used as a relative path at all, or NULL. */
static const char *
refuse_prefix (const char *name)
{
  if (*name == '\0')
    return "empty name";
  if (*name == '/' || *name == '\\')
    return "absolute path";
  if (g_ascii_isalpha (name[0]) && name[1] == ':')
    return "drive letter";
  if (strlen (name) > MG_SAFEPATH_MAX_LENGTH)
    return "name too long";
  return NULL;
}

char *
mg_safepath_relative (const char *name, const char **why_r)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) clean = g_ptr_array_new_with_free_func (g_free);
  const char *why = name != NULL ? refuse_prefix (name) : "empty name";

  if (why == NULL && !g_utf8_validate (name, -1, NULL))
    why = "name is not valid UTF-8";
  parts = why == NULL ? g_strsplit_set (name, "/\\", -1) : NULL;
  for (guint i = 0; why == NULL && parts[i] != NULL; i++) {
    char *c;
    if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
      continue;
    if (only_dots (parts[i]))
      why = "name climbs out with \"..\"";
    else if ((c = mg_safepath_component (parts[i], MG_SAFEPATH_COMPONENT_MAX)) == NULL)
      why = "a part of the name is empty once cleaned";
    else
      g_ptr_array_add (clean, c);
  }
  if (why == NULL && (clean->len == 0 || clean->len > MG_SAFEPATH_MAX_DEPTH))
    why = clean->len == 0 ? "empty name" : "name nested too deep";
  if (why != NULL) {
    if (why_r != NULL)
      *why_r = why;
    return NULL;
  }
  g_ptr_array_add (clean, NULL);
  return g_strjoinv ("/", (char **) clean->pdata);
}

/* The start of NAME's extension as mg_safepath_with_extension replaces it, or NULL. */
static const char *
extension_start (const char *name)
{
  static const char *const compound[] = { ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.z",
                                          ".tar.lz", ".tar.zst", NULL };
  gsize len = strlen (name);
  const char *dot = strrchr (name, '.');

  for (guint i = 0; compound[i] != NULL; i++) {
    gsize n = strlen (compound[i]);
    if (len > n && g_ascii_strcasecmp (name + len - n, compound[i]) == 0)
      return name + len - n;
  }
  if (dot == NULL || dot == name || strlen (dot) > 6)
    return NULL;
  return dot;
}

char *
mg_safepath_with_extension (const char *name, const char *extension)
{
  const char *ext;

  if (extension == NULL || g_str_has_suffix (name, extension))
    return g_strdup (name);
  ext = extension_start (name);
  if (ext == NULL)
    return g_strconcat (name, extension, NULL);
  g_autofree char *stem = g_strndup (name, ext - name);
  return g_strconcat (stem, extension, NULL);
}

const char *
mg_safepath_basename (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}
