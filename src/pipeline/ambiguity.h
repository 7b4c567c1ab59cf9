/* ambiguity.h - find what mail clients would read differently, and limits.
 *
 * mugai withholds a message that two clients could read as two different
 * structures (THREATS.md 1-14): duplicate Content-* headers, several or
 * disguised boundaries, comments in names or parameters, boundaries that nest
 * into each other, bare CR or NUL in headers, blank-looking separators. These
 * checks only record findings on the job; they never change the message.
 */
#pragma once
#include "pipeline/job.h"

/* What one parse is of: its job, and where the header block whose fields
 * mugai delivers ends (0 for an attached message, whose fields are not
 * delivered: a repeated To or Message-ID there is no ambiguity). */
typedef struct {
  MgJob *job;
  gint64 delivered_end;
  const char *data; /* the bytes parsed (LEN), for the lines warnings name */
  gsize len;
} MgParseScope;

/* GMime parser warnings (data: an MgParseScope): the critical ones withhold. */
void mg_ambiguity_parser_warning (gint64 offset, GMimeParserWarning code, const char *item,
                                  gpointer scope);

/* Whether the line at OFFSET of DATA (LEN bytes) that GMime found no header
 * field (ITEM, its text) leaves mugai's reading (skip it, read on) with every
 * part another reader could find: no MIME field comes before it in its block
 * and it is not one itself (ambiguity_line.c). */
gboolean mg_ambiguity_stray_line_harmless (const char *data, gsize len, gint64 offset,
                                           const char *item);

/* A copy of DATA (LEN bytes) in which every line of a header block that
 * continues a field ending in ';' as "name=value" but lost its indent
 * ("Content-Type: multipart/alternative;" then "boundary=..." at the start of
 * the next line, as Exchange Online writes it) is indented, so it reads as the
 * parameter it is; NULL when there is none. Linear in LEN. */
GByteArray *mg_ambiguity_join_orphans (const char *data, gsize len);

/* Check the headers of one MIME object. BOUNDARIES holds the boundaries of its
 * ancestors (char *); a multipart's own boundary is appended by the caller. */
void mg_ambiguity_check_object (MgJob *job, GMimeObject *object, GPtrArray *boundaries);

/* Check the raw bytes of every header block of the message (top level and the
 * blocks after each known boundary line). */
void mg_ambiguity_check_raw (MgJob *job, GBytes *raw, GPtrArray *boundaries);

/* The transfer encoding named in OBJECT's header, lower-case and trimmed, or
 * NULL when absent. */
char *mg_ambiguity_transfer_encoding (GMimeObject *object);
