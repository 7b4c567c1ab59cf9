/* jsonget.h - typed members of a parsed JSON object, for readers of JSON
 * that a worker or an earlier run wrote (reports, audit lines).
 *
 * Never trusts the shape: a member that is missing or of another type is
 * NULL, never a warning or a crash.
 */
#pragma once
#include <json-glib/json-glib.h>

/* OBJECT's member NAME when it is a string (owned by OBJECT), else NULL.
 * OBJECT may be NULL. */
const char *mg_jsonget_string (JsonObject *object, const char *name);
/* OBJECT's member NAME when it is an array (owned by OBJECT), else NULL.
 * OBJECT may be NULL. */
JsonArray *mg_jsonget_array (JsonObject *object, const char *name);

/* The JSON object TEXT parsed by PARSER (which owns the result), or NULL. */
JsonObject *mg_jsonget_parse_object (JsonParser *parser, const char *text);
/* TEXT, or "-" when it is NULL or empty (for printing). */
const char *mg_jsonget_or_dash (const char *text);
/* The string member NAME of OBJECT, or "-". */
const char *mg_jsonget_string_or_dash (JsonObject *object, const char *name);
