/* ooxml_excel.h - Excel workbooks and worksheets: what runs or reaches out
 * (ooxml_excel.c). Part of the OOXML filter: ooxml.c runs it on a workbook
 * and its sheets.
 */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

#include "filters/ooxml_findings.h"

/* Workbook: sheets whose relationship was dropped (macro sheets) removed
 * with the names and views that count sheets by position fixed; auto-run,
 * external and DDE names removed. FALSE when no sheet is left. */
gboolean mg_ooxml_excel_workbook (xmlDoc *doc, GHashTable *kept_ids,
                                  MgOoxmlFindings *findings);
/* Worksheet: formulas that reach outside (DDE, external workbooks,
 * WEBSERVICE, HYPERLINK...) give way to their cached values; data validation
 * and conditional formats with such formulas removed. */
void mg_ooxml_excel_sheet (xmlDoc *doc, MgOoxmlFindings *findings);
/* TRUE when a formula (a cell's, a name's) reaches outside the workbook or
 * runs something. */
gboolean mg_ooxml_excel_formula_unsafe (const char *formula);
