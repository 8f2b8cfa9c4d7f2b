// gperftools' thread-caching malloc, linked into the erpwms executable so that it replaces glibc's malloc for the
// whole process (see Package.swift for why).
#include <gperftools/tcmalloc.h>
