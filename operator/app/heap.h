// heap: keeping keyroll's resident memory close to what it holds. glibc keeps the pages
// freed after a burst (the first lists, a wave of reconciles) resident, and gives every
// busy thread its own arena that fragments on its own; at 10,000 resources that was more
// than the caches themselves.
#pragma once

namespace keyroll::app {

// Two malloc arenas (instead of 8 per core): workers contend a little, fragment far less.
void ConfigureHeap();

// Returns the free pages of every arena to the OS (malloc_trim). Cheap enough to call every
// minute; called after the first lists and then periodically.
void ReleaseFreeHeap();

}  // namespace keyroll::app
