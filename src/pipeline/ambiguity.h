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
} MgParseScope;

/* GMime parser warnings (data: an MgParseScope): the critical ones withhold. */
void mg_ambiguity_parser_warning (gint64 offset, GMimeParserWarning code,
                                  const char *item, gpointer scope);

/* Check the headers of one MIME object. BOUNDARIES holds the boundaries of its
 * ancestors (char *); a multipart's own boundary is appended by the caller. */
void mg_ambiguity_check_object (MgJob *job, GMimeObject *object,
                                GPtrArray *boundaries);

/* Check the raw bytes of every header block of the message (top level and the
 * blocks after each known boundary line). */
void mg_ambiguity_check_raw (MgJob *job, GBytes *raw, GPtrArray *boundaries);

/* The transfer encoding named in OBJECT's header, lower-case and trimmed, or
 * NULL when absent. */
char *mg_ambiguity_transfer_encoding (GMimeObject *object);
