/* html.c - HTML to readable text, for mail bodies and HTML attachments.
 *
 * The bytes are decoded to UTF-8 by mime/charset first (BOM, then the MIME
 * label, then a <meta> charset in the first 4 KB, then a guess), and libxml2
 * parses UTF-8 only and is told to ignore encoding declarations, so CP932's
 * ① ～ 髙 survive and a <meta charset> can never make it decode a second time.
 * The tree is walked without recursion (libxml2 itself stops at 256 levels;
 * what lies past that is cut and marked "[…]").
 *
 * What the text keeps: the text a mail client would show, links as
 * "text <target>" with the real target always shown, image alt text as [alt].
 * It never fetches anything (no network, no entities, no DTD), never writes
 * markup or attribute values other than link targets and alt text, and never
 * makes a link live: schemes other than http, https, mailto, ftp and tel are
 * shown by their name only ("<javascript:…>").
 */
#include "filters/html.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "common/filter.h"
#include "filters/text.h"

/* The filter for HTML attachments; the registry lists it. */
extern const MgFilter mg_filter_html;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (htmlParserCtxt, htmlFreeParserCtxt)

#define SNIFF_BYTES 4096
#define LABEL_MAX 48
#define TARGET_MAX 2048
#define HR_LINE "----------------------------------------"

/* --- elements ---------------------------------------------------------- */

typedef enum {
  EL_INLINE, /* text flows through */
  EL_DROP,   /* the element and everything in it is dropped */
  EL_BLOCK,  /* starts and ends a line */
  EL_PARA,   /* a blank line before and after */
  EL_BR,
  EL_HR,
  EL_LIST, /* ul, ol, menu, dir */
  EL_LI,
  EL_PRE,
  EL_QUOTE,
  EL_TR,
  EL_CELL,
  EL_A,
  EL_IMG,
} ElKind;

typedef struct {
  const char *name;
  ElKind kind;
} ElDesc;

/* Sorted by name (strcmp) for bsearch; every other element is inline. The
 * void elements embed, source, track, wbr and keygen must stay inline: libxml2
 * 2.9 gives them the rest of their parent as children. */
static const ElDesc elements[] = {
  { "a", EL_A },           { "address", EL_BLOCK },  { "applet", EL_DROP },
  { "area", EL_DROP },     { "article", EL_BLOCK },  { "aside", EL_BLOCK },
  { "audio", EL_DROP },    { "base", EL_DROP },      { "blockquote", EL_QUOTE },
  { "body", EL_BLOCK },    { "br", EL_BR },          { "canvas", EL_DROP },
  { "caption", EL_BLOCK }, { "center", EL_BLOCK },   { "datalist", EL_DROP },
  { "dd", EL_BLOCK },      { "details", EL_BLOCK },  { "dialog", EL_BLOCK },
  { "dir", EL_LIST },      { "div", EL_BLOCK },      { "dl", EL_PARA },
  { "dt", EL_BLOCK },      { "fieldset", EL_BLOCK }, { "figcaption", EL_BLOCK },
  { "figure", EL_PARA },   { "footer", EL_BLOCK },   { "form", EL_BLOCK },
  { "frame", EL_DROP },    { "frameset", EL_DROP },  { "h1", EL_PARA },
  { "h2", EL_PARA },       { "h3", EL_PARA },        { "h4", EL_PARA },
  { "h5", EL_PARA },       { "h6", EL_PARA },        { "head", EL_DROP },
  { "header", EL_BLOCK },  { "hgroup", EL_BLOCK },   { "hr", EL_HR },
  { "iframe", EL_DROP },   { "img", EL_IMG },        { "input", EL_DROP },
  { "legend", EL_BLOCK },  { "li", EL_LI },          { "link", EL_DROP },
  { "listing", EL_PRE },   { "main", EL_BLOCK },     { "math", EL_DROP },
  { "menu", EL_LIST },     { "meta", EL_DROP },      { "nav", EL_BLOCK },
  { "noembed", EL_DROP },  { "noscript", EL_DROP },  { "object", EL_DROP },
  { "ol", EL_LIST },       { "optgroup", EL_DROP },  { "option", EL_DROP },
  { "p", EL_PARA },        { "param", EL_DROP },     { "plaintext", EL_PRE },
  { "pre", EL_PRE },       { "script", EL_DROP },    { "section", EL_BLOCK },
  { "select", EL_DROP },   { "style", EL_DROP },     { "summary", EL_BLOCK },
  { "svg", EL_DROP },      { "table", EL_PARA },     { "td", EL_CELL },
  { "template", EL_DROP }, { "textarea", EL_DROP },  { "th", EL_CELL },
  { "title", EL_DROP },    { "tr", EL_TR },          { "ul", EL_LIST },
  { "video", EL_DROP },    { "xml", EL_DROP },       { "xmp", EL_PRE },
};

static int
el_compare (const void *key, const void *member)
{
  return strcmp (key, ((const ElDesc *) member)->name);
}

static ElKind
el_kind (const xmlNode *node)
{
  const ElDesc *d = bsearch (node->name, elements, G_N_ELEMENTS (elements), sizeof elements[0],
                             el_compare);

  return d != NULL ? d->kind : EL_INLINE;
}

/* Hidden from the reader by the hidden attribute or an inline style
 * (Outlook also hides mso-hide:all). */
static gboolean
el_hidden (xmlNode *node)
{
  if (xmlHasProp (node, (const xmlChar *) "hidden") != NULL)
    return TRUE;
  xmlChar *style = xmlGetProp (node, (const xmlChar *) "style");
  if (style == NULL)
    return FALSE;
  GString *compact = g_string_new (NULL);
  for (const xmlChar *p = style; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (compact, g_ascii_tolower (*p));
  xmlFree (style);
  gboolean hidden = strstr (compact->str, "display:none") != NULL ||
                    strstr (compact->str, "visibility:hidden") != NULL ||
                    strstr (compact->str, "mso-hide:all") != NULL;
  g_string_free (compact, TRUE);
  return hidden;
}

/* --- the text being written -------------------------------------------- */

typedef struct {
  ElKind kind;
  gsize start;      /* EL_A: where the link text starts in out */
  guint count;      /* EL_LIST: items so far; EL_TR: cells so far */
  gboolean ordered; /* EL_LIST: ol */
  gint outer;       /* EL_LIST/EL_TR: the enclosing list/row frame, or -1 */
} Frame;

typedef struct {
  GString *out;
  guint breaks;      /* line ends wanted before the next content (1, or 2 for a blank line) */
  gboolean space;    /* a collapsed space is pending */
  gboolean space_nl; /* ... and the whitespace held a line break */
  gboolean cell_sep; /* a table cell separator is pending */
  guint pre;         /* inside pre */
  guint quote;       /* blockquote depth */
  gint list;         /* frame of the innermost list, or -1 */
  gint row;          /* frame of the innermost table row, or -1 */
  gint link;         /* frame of a link whose text has not started yet, or -1 */
  gunichar last;     /* last character written */
  GArray *frames;
} Render;

static gboolean
at_line_start (const Render *r)
{
  return r->out->len == 0 || r->out->str[r->out->len - 1] == '\n';
}

static void
want_breaks (Render *r, guint n)
{
  r->breaks = MAX (r->breaks, n);
}

static void
flush_breaks (Render *r)
{
  guint have = 0;

  if (r->out->len == 0) {
    r->breaks = 0;
    return;
  }
  for (gsize i = r->out->len; i > 0 && have < 2 && r->out->str[i - 1] == '\n'; i--)
    have++;
  for (; have < r->breaks; have++)
    g_string_append_c (r->out, '\n');
  r->breaks = 0;
}

/* Whitespace between the last character and NEXT: a line break between two
 * wide (CJK) characters is no space at all (CSS Text 3); others are one. */
static gboolean
space_wanted (const Render *r, gunichar next)
{
  if (!r->space)
    return FALSE;
  return !(r->space_nl && g_unichar_iswide (r->last) && g_unichar_iswide (next));
}

/* Before writing content NEXT: pending line ends, quote marks, a cell
 * separator or one space. */
static void
prepare (Render *r, gunichar next)
{
  flush_breaks (r);
  if (at_line_start (r)) {
    for (guint i = 0; i < r->quote; i++)
      g_string_append_c (r->out, '>');
    if (r->quote > 0)
      g_string_append_c (r->out, ' ');
  } else if (r->cell_sep) {
    g_string_append (r->out, " | ");
  } else if (space_wanted (r, next)) {
    g_string_append_c (r->out, ' ');
  }
  r->space = r->space_nl = r->cell_sep = FALSE;
  if (r->link >= 0) {
    /* the link text starts here, after any space or quote mark */
    g_array_index (r->frames, Frame, r->link).start = r->out->len;
    r->link = -1;
  }
}

/* Write S as it is (list marks, indentation). */
static void
render_raw (Render *r, const char *s)
{
  prepare (r, g_utf8_get_char (s));
  g_string_append (r->out, s);
  r->last = ' ';
}

static void
render_char (Render *r, const char *p, const char *next)
{
  gunichar c = g_utf8_get_char (p);

  prepare (r, c);
  if (c == 0xA0) /* no-break space: kept, as a plain space */
    g_string_append_c (r->out, ' ');
  else
    g_string_append_len (r->out, p, next - p);
  r->last = c;
}

/* Text as a browser lays it out: runs of whitespace are one space. */
static void
render_text (Render *r, const char *text)
{
  for (const char *p = text; *p != '\0';) {
    const char *next = g_utf8_next_char (p);
    if (strchr (" \t\n\r\f", *p) != NULL) {
      r->space = TRUE;
      r->space_nl = r->space_nl || *p == '\n' || *p == '\r';
    } else {
      render_char (r, p, next);
    }
    p = next;
  }
}

/* Text inside pre: every space and line break kept. */
static void
render_pre_text (Render *r, const char *text)
{
  for (const char *p = text; *p != '\0';) {
    const char *next = g_utf8_next_char (p);
    if (*p == '\n') {
      flush_breaks (r);
      g_string_append_c (r->out, '\n');
      r->space = r->cell_sep = FALSE;
    } else if (*p != '\r') {
      render_char (r, p, next);
    }
    p = next;
  }
}

/* --- links ------------------------------------------------------------- */

static gboolean
scheme_is_shown (const char *scheme)
{
  static const char *const shown[] = { "http", "https", "mailto", "ftp", "tel", NULL };

  return g_strv_contains (shown, scheme);
}

/* The scheme of URL in lower case ("javascript"), or NULL for a relative URL. */
static char *
url_scheme (const char *url)
{
  gsize n = 0;

  if (!g_ascii_isalpha (url[0]))
    return NULL;
  while (g_ascii_isalnum (url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
    n++;
  if (url[n] != ':')
    return NULL;
  return g_ascii_strdown (url, n);
}

/* HREF as browsers read it: tabs and line breaks anywhere removed, controls
 * and spaces at either end trimmed. */
static char *
href_clean (const char *href)
{
  GString *s = g_string_new (NULL);

  for (const char *p = href; *p != '\0'; p++)
    if (*p != '\t' && *p != '\n' && *p != '\r')
      g_string_append_c (s, *p);
  gsize start = 0, end = s->len;
  while (start < end && (guchar) s->str[start] <= ' ')
    start++;
  while (end > start && (guchar) s->str[end - 1] <= ' ')
    end--;
  g_string_truncate (s, end);
  g_string_erase (s, 0, start);
  return g_string_free (s, FALSE);
}

/* Append URL for display: characters that could end "<...>", break the line
 * or reorder the display (spaces, controls, format characters such as
 * U+202E) are percent-encoded; at most TARGET_MAX bytes. */
static void
append_target (GString *out, const char *url)
{
  gsize begin = out->len;

  for (const char *p = url; *p != '\0' && out->len - begin < TARGET_MAX;) {
    const char *next = g_utf8_next_char (p);
    gunichar c = g_utf8_get_char (p);
    if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' ||
        g_unichar_type (c) == G_UNICODE_FORMAT || g_unichar_iscntrl (c)) {
      for (const char *b = p; b < next; b++)
        g_string_append_printf (out, "%%%02X", (guchar) *b);
    } else {
      g_string_append_len (out, p, next - p);
    }
    p = next;
  }
  if (out->len - begin >= TARGET_MAX)
    g_string_append (out, "…");
}

/* What a reader sees of HREF: the URL, or only the scheme of one that could
 * act ("javascript:…"); NULL for no target or an in-page "#anchor". */
static char *
link_target (const char *href)
{
  g_autofree char *url = href_clean (href);
  g_autofree char *scheme = url_scheme (url);

  if (url[0] == '\0' || url[0] == '#')
    return NULL;
  if (scheme != NULL && !scheme_is_shown (scheme))
    return g_strconcat (scheme, ":…", NULL);
  GString *shown = g_string_new (NULL);
  append_target (shown, url);
  return g_string_free (shown, FALSE);
}

/* TRUE when the link text written since START, without surrounding
 * whitespace, is empty or TARGET; *lead_r gets the leading whitespace length. */
static gboolean
link_text_says_only (const Render *r, gsize start, const char *target, gsize *lead_r)
{
  const char *s = r->out->str + start;
  gsize len = r->out->len - start, lead = 0;

  while (lead < len && g_ascii_isspace (s[lead]))
    lead++;
  while (len > lead && g_ascii_isspace (s[len - 1]))
    len--;
  *lead_r = lead;
  return len == lead ||
         (len - lead == strlen (target) && memcmp (s + lead, target, len - lead) == 0);
}

static void
close_link (Render *r, xmlNode *node, const Frame *frame)
{
  xmlChar *href = xmlGetProp (node, (const xmlChar *) "href");
  g_autofree char *target = href != NULL ? link_target ((const char *) href) : NULL;
  gsize lead;

  xmlFree (href);
  r->link = -1;
  if (target == NULL)
    return;
  g_autofree char *bracketed = g_strconcat ("<", target, ">", NULL);
  if (link_text_says_only (r, frame->start, target, &lead)) {
    /* the text says nothing more than the target: show the target once */
    g_string_truncate (r->out, frame->start + lead);
    r->space = FALSE;
  } else {
    r->space = TRUE;
  }
  render_raw (r, bracketed);
}

/* --- elements opened and closed ---------------------------------------- */

static void
open_list_item (Render *r)
{
  GString *mark = g_string_new (NULL);
  Frame *list = r->list >= 0 ? &g_array_index (r->frames, Frame, r->list) : NULL;
  guint depth = 0;

  for (gint i = r->list; i >= 0; i = g_array_index (r->frames, Frame, i).outer)
    depth++;
  want_breaks (r, 1);
  for (guint i = 1; i < depth; i++)
    g_string_append (mark, "  ");
  if (list != NULL && list->ordered)
    g_string_append_printf (mark, "%u. ", ++list->count);
  else
    g_string_append (mark, "・ ");
  render_raw (r, mark->str);
  g_string_free (mark, TRUE);
}

static void
open_image (Render *r, xmlNode *node)
{
  xmlChar *alt = xmlGetProp (node, (const xmlChar *) "alt");
  g_autofree char *stripped = g_strstrip (g_strdup (alt != NULL ? (const char *) alt : ""));

  xmlFree (alt);
  if (stripped[0] == '\0')
    return;
  render_text (r, "[");
  render_text (r, stripped);
  render_text (r, "]");
}

static void
open_cell (Render *r)
{
  if (r->row < 0)
    return;
  Frame *row = &g_array_index (r->frames, Frame, r->row);
  if (row->count++ > 0)
    r->cell_sep = TRUE;
}

/* Set up FRAME (already pushed at index INDEX) for an element being entered. */
static void
open_element (Render *r, xmlNode *node, Frame *frame, gint index)
{
  switch (frame->kind) {
  case EL_BLOCK:
  case EL_TR:
    want_breaks (r, 1);
    break;
  case EL_PARA:
  case EL_PRE:
    want_breaks (r, 2);
    break;
  case EL_QUOTE:
    want_breaks (r, 2);
    r->quote++;
    break;
  case EL_BR:
    flush_breaks (r);
    g_string_append_c (r->out, '\n');
    r->space = FALSE;
    break;
  case EL_HR:
    want_breaks (r, 1);
    render_raw (r, HR_LINE);
    want_breaks (r, 1);
    break;
  case EL_LI:
    open_list_item (r);
    break;
  case EL_CELL:
    open_cell (r);
    break;
  case EL_IMG:
    open_image (r, node);
    break;
  case EL_A:
    frame->start = r->out->len;
    r->link = index;
    break;
  case EL_LIST:
    want_breaks (r, r->list >= 0 ? 1 : 2);
    break;
  case EL_INLINE:
  case EL_DROP:
    break;
  }
  if (frame->kind == EL_PRE)
    r->pre++;
  if (frame->kind == EL_LIST) {
    frame->ordered = xmlStrcasecmp (node->name, (const xmlChar *) "ol") == 0;
    frame->outer = r->list;
    r->list = index;
  }
  if (frame->kind == EL_TR) {
    frame->outer = r->row;
    r->row = index;
  }
}

static void
close_element (Render *r, xmlNode *node, const Frame *frame)
{
  switch (frame->kind) {
  case EL_BLOCK:
  case EL_LI:
    want_breaks (r, 1);
    break;
  case EL_PARA:
    want_breaks (r, 2);
    break;
  case EL_PRE:
    want_breaks (r, 2);
    r->pre--;
    break;
  case EL_QUOTE:
    want_breaks (r, 2);
    r->quote--;
    break;
  case EL_TR:
    want_breaks (r, 1);
    r->row = frame->outer;
    break;
  case EL_LIST:
    want_breaks (r, frame->outer >= 0 ? 1 : 2);
    r->list = frame->outer;
    break;
  case EL_A:
    close_link (r, node, frame);
    break;
  case EL_CELL:
    r->space = TRUE;
    break;
  case EL_BR:
  case EL_HR:
  case EL_IMG:
  case EL_INLINE:
  case EL_DROP:
    break;
  }
}

/* --- walking the tree -------------------------------------------------- */

/* Called on the way down; TRUE when the walk goes into NODE's children (and
 * render_leave will be called for it). */
static gboolean
render_enter (Render *r, xmlNode *node)
{
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
    if (node->content != NULL && r->pre > 0)
      render_pre_text (r, (const char *) node->content);
    else if (node->content != NULL)
      render_text (r, (const char *) node->content);
    return FALSE;
  }
  if (node->type != XML_ELEMENT_NODE)
    return FALSE; /* comments, processing instructions, DTD */
  Frame frame = { .kind = el_kind (node), .outer = -1 };
  if (frame.kind == EL_DROP || el_hidden (node))
    return FALSE;
  g_array_append_val (r->frames, frame);
  gint index = (gint) r->frames->len - 1;
  open_element (r, node, &g_array_index (r->frames, Frame, index), index);
  return TRUE;
}

static void
render_leave (Render *r, xmlNode *node)
{
  Frame frame = g_array_index (r->frames, Frame, r->frames->len - 1);

  g_array_set_size (r->frames, r->frames->len - 1);
  close_element (r, node, &frame);
}

/* Depth-first over ROOT and its descendants, with no recursion. */
static void
render_walk (Render *r, xmlNode *root)
{
  xmlNode *node = root;

  while (node != NULL) {
    gboolean entered = render_enter (r, node);
    if (entered && node->children != NULL) {
      node = node->children;
      continue;
    }
    if (entered)
      render_leave (r, node);
    while (node != root && node->next == NULL) {
      node = node->parent;
      render_leave (r, node);
    }
    node = node == root ? NULL : node->next;
  }
}

/* --- the result -------------------------------------------------------- */

/* Lines of RAW without trailing spaces, no blank lines at either end, at most
 * two blank lines in a row, joined with "\n". */
static char *
tidy_lines (const GString *raw)
{
  GString *out = g_string_sized_new (raw->len);
  guint blanks = 0;

  for (const char *line = raw->str; line != NULL && *line != '\0';) {
    const char *nl = strchr (line, '\n');
    gsize len = nl != NULL ? (gsize) (nl - line) : strlen (line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
      len--;
    if (len == 0) {
      blanks++;
    } else {
      if (out->len > 0)
        for (guint i = 0; i <= MIN (blanks, 2u); i++)
          g_string_append_c (out, '\n');
      g_string_append_len (out, line, len);
      blanks = 0;
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  return g_string_free (out, FALSE);
}

/* Refuse every external entity, DTD and XInclude: nothing is ever loaded. */
static xmlParserInputPtr
refuse_loader (const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
  (void) url;
  (void) id;
  (void) ctxt;
  return NULL;
}

static void
html_setup_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    xmlInitParser ();
    xmlSetExternalEntityLoader (refuse_loader);
    g_once_init_leave (&done, 1);
  }
}

/* --- charset ----------------------------------------------------------- */

/* Copy the charset value that follows "charset" at P (within END) to LABEL. */
static gboolean
meta_charset_value (const char *p, const char *end, char *label)
{
  gsize n = 0;

  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  if (p >= end || *p != '=')
    return FALSE;
  for (p++; p < end && strchr (" \t\r\n\"'", *p) != NULL; p++)
    ;
  while (p < end && n < LABEL_MAX - 1 && (g_ascii_isalnum (*p) || strchr ("-_.:", *p)))
    label[n++] = *p++;
  label[n] = '\0';
  return n > 0;
}

/* The charset a <meta charset=...> or <meta http-equiv content="...;
 * charset=..."> names in the first SNIFF_BYTES of DATA, copied to LABEL. */
static gboolean
sniff_meta_charset (const char *data, gsize len, char *label)
{
  const char *end = data + MIN (len, SNIFF_BYTES);

  for (const char *p = data; p + 5 < end; p++) {
    if (*p != '<' || g_ascii_strncasecmp (p + 1, "meta", 4) != 0)
      continue;
    const char *close = memchr (p, '>', end - p);
    const char *tag_end = close != NULL ? close : end;
    for (const char *q = p + 5; q + 7 <= tag_end; q++)
      if (g_ascii_strncasecmp (q, "charset", 7) == 0 &&
          meta_charset_value (q + 7, tag_end, label))
        return TRUE;
    p = tag_end - 1;
  }
  return FALSE;
}

static char *
html_decode (const char *data, gsize len, const char *charset)
{
  char label[LABEL_MAX];

  if (charset == NULL || charset[0] == '\0')
    charset = sniff_meta_charset (data, len, label) ? label : NULL;
  /* a meta label of UTF-16 on bytes that were readable as ASCII means UTF-8 */
  if (charset == label && g_ascii_strncasecmp (label, "utf-16", 6) == 0)
    charset = "utf-8";
  return mg_text_decode (data, len, charset, NULL);
}

/* --- public ------------------------------------------------------------ */

/* Parse UTF8 (libxml2 told it is UTF-8 and to ignore any declaration); sets
 * *cut_r when libxml2 stopped early (nesting deeper than it allows). */
static xmlDoc *
html_parse (const char *utf8, gboolean *cut_r)
{
  g_autoptr (htmlParserCtxt) ctxt = htmlNewParserCtxt ();
  gsize len = strlen (utf8);
  int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                HTML_PARSE_RECOVER | HTML_PARSE_IGNORE_ENC;

  *cut_r = FALSE;
  if (ctxt == NULL)
    g_error ("libxml2: out of memory");
  xmlDoc *doc = htmlCtxtReadMemory (ctxt, utf8, (int) MIN (len, (gsize) G_MAXINT), NULL,
                                    "UTF-8", options);
  *cut_r = ctxt->errNo == XML_ERR_INTERNAL_ERROR || len > (gsize) G_MAXINT;
  return doc;
}

/* The text has its lines joined with "\n" and no line end after the last. */
char *
mg_html_to_text (const char *data, gsize len, const char *charset)
{
  g_autofree char *utf8 = html_decode (data != NULL ? data : "", data != NULL ? len : 0,
                                       charset);
  gboolean cut;

  html_setup_once ();
  g_autoptr (xmlDoc) doc = html_parse (utf8, &cut);
  Render r = { .out = g_string_new (NULL),
               .list = -1,
               .row = -1,
               .link = -1,
               .frames = g_array_new (FALSE, TRUE, sizeof (Frame)) };
  for (xmlNode *top = doc != NULL ? doc->children : NULL; top != NULL; top = top->next)
    render_walk (&r, top);
  if (cut)
    g_string_append (r.out, "\n[…]");
  char *text = tidy_lines (r.out);
  g_string_free (r.out, TRUE);
  g_array_free (r.frames, TRUE);
  return text;
}

/* --- the filter for HTML attachments ----------------------------------- */

static const char *const html_types[] = { "text/html", "application/xhtml+xml", NULL };

static gboolean
html_init (const MgConfig *config, GError **error)
{
  (void) config;
  (void) error;
  html_setup_once ();
  return TRUE;
}

static gboolean
html_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (input, &len);
  g_autofree char *text = mg_html_to_text (data, len, in->charset);
  (void) error;

  if (text[0] != '\0')
    result->output = g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
  else
    result->output = g_bytes_new (NULL, 0);
  result->action = MG_ACTION_CONVERTED;
  result->reason = MG_REASON_HTML_TO_TEXT;
  result->output_type = g_strdup ("text/plain");
  result->output_extension = g_strdup (".txt");
  return TRUE;
}

const MgFilter mg_filter_html = {
  .name = "html",
  .types = html_types,
  .init = html_init,
  .sanitise = html_sanitise,
  .shutdown = NULL,
};
