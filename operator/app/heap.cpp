// heap.cpp — see heap.h.
#include "operator/app/heap.h"

#include <malloc.h>

namespace keyroll::app {

void ConfigureHeap() { mallopt(M_ARENA_MAX, 2); }

void ReleaseFreeHeap() { malloc_trim(0); }

}  // namespace keyroll::app
