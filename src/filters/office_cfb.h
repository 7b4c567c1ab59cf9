/* office_cfb.h - just enough of the OLE compound file format (CFB, [MS-CFB])
 * to tell what a legacy Office file is and whether it is encrypted.
 *
 * Reads the directory and the first bytes of a stream (from the regular or
 * the mini stream), following sector chains with a step bound so that a
 * chain that loops or leaves the file ends the read. Never writes, never
 * trusts a size it cannot check against the bytes it has.
 */
#pragma once
#include <glib.h>

/* TRUE when DATA starts like a compound file. */
gboolean mg_office_cfb_is (GBytes *data);

/* TRUE when the compound file has a stream or storage named NAME (ASCII,
 * compared without case) in its directory. */
gboolean mg_office_cfb_has (GBytes *data, const char *name);

/* TRUE when the compound file is an encrypted Office document: an
 * EncryptionInfo/EncryptedPackage (OOXML with a password), DRM storage, a
 * Word FIB with fEncrypted or fObfuscated, an Excel FILEPASS record after the
 * workbook's BOF, or an encrypted PowerPoint CurrentUser atom. */
gboolean mg_office_cfb_encrypted (GBytes *data);
