/* report_fields.h - the names of the report's JSON fields (doc/report.md).
 *
 * The report is written in one place (src/pipeline/report.c) and read in
 * many: the quarantine index and statistics, the alerts, the milter's log
 * line, the worker check, `mugai quarantine show`, the web UI. Each of them
 * names a field through these, so that a renamed field is renamed
 * everywhere or not at all. The names are part of the contract with the
 * sites' own tools (SIEMs read the report lines): never change one. The
 * unit tests spell the JSON out literally, to hold the writer to it.
 */
#pragma once

/* A message: `mugai mail --report`, the milter's report line, the stored
 * report of a held item. */
#define MG_REPORT_ID "id"           /* the quarantine id */
#define MG_REPORT_VERDICT "verdict" /* "sanitised" or "withheld" */
#define MG_REPORT_QUEUE_ID "queue_id"
#define MG_REPORT_MESSAGE_ID "message_id"
#define MG_REPORT_FROM "from" /* the From header, decoded */
#define MG_REPORT_SUBJECT "subject"
#define MG_REPORT_REASON "reason" /* why the message was withheld */
#define MG_REPORT_DETAIL "detail"
#define MG_REPORT_VIRUS "virus"           /* array of virus names */
#define MG_REPORT_SIGNATURES "signatures" /* the virus database's version */
#define MG_REPORT_PARTS "parts"           /* array of parts (below) */
#define MG_REPORT_PARTS_LISTED "parts_listed"
#define MG_REPORT_ELAPSED_MS "elapsed_ms"

/* A file of `mugai files`: the fields of a part for the file itself, these,
 * MG_REPORT_ID, MG_REPORT_VIRUS, MG_REPORT_SIGNATURES, MG_REPORT_ELAPSED_MS. */
#define MG_REPORT_SOURCE "source"   /* the input path */
#define MG_REPORT_OUTPUT "output"   /* the output path, or null */
#define MG_REPORT_MEMBERS "members" /* array of parts: an archive's members */

/* One part (an element of MG_REPORT_PARTS or MG_REPORT_MEMBERS). */
#define MG_REPORT_PART_PATH "path"
#define MG_REPORT_PART_FILENAME "filename"
#define MG_REPORT_PART_DECLARED_TYPE "declared_type"
#define MG_REPORT_PART_DETECTED_TYPE "detected_type"
#define MG_REPORT_PART_ACTION "action" /* kept, converted, removed, withheld */
#define MG_REPORT_PART_OUTPUT_FILENAME "output_filename"
#define MG_REPORT_PART_OUTPUT_TYPE "output_type"
#define MG_REPORT_PART_REASON "reason"
#define MG_REPORT_PART_DETAIL "detail"
#define MG_REPORT_PART_SHA256 "sha256"
#define MG_REPORT_PART_OUTPUT_SHA256 "output_sha256"
