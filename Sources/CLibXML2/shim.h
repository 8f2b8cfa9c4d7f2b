#ifndef ERPWMS_CLIBXML2_SHIM_H
#define ERPWMS_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU; its encoding.h would pull <unicode/ucnv.h>, which clashes with
   Foundation's bundled ICU module. Keep libxml2's ICU headers out of Swift (see TOOLCHAIN.md). */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/parserInternals.h>
#endif
