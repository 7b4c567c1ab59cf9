/* office_legacy.h - .doc/.xls/.ppt, RTF and ODF through LibreOffice.
 *
 * LibreOffice (libreoffice.h) turns these into OOXML, which the OOXML filter
 * then rebuilds (mg_ooxml_converted), so macros and objects of the original
 * can never pass. Encrypted documents are withheld; Ichitaro (.jtd) and
 * formats LibreOffice is missing for are removed with a reason. This module
 * never returns the input bytes.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_office_legacy;
