/* classify_zip.h - Office Open XML and OpenDocument packages recognised from
 * the zip's central directory, as Office and LibreOffice recognise them. */
#pragma once
#include <glib.h>

/* The type of the package DATA (a zip starting with "PK"): the registered
 * type of the main part named in [Content_Types].xml (".docx",
 * ".xlsm", ...) or the "mimetype" entry of an OpenDocument file, wherever
 * these entries lie; NULL for any other zip or bytes. Newly allocated. */
char *mg_classify_zip_package (const void *data, gsize len);
