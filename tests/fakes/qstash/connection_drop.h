// connection_drop: moved to tests/fakes/common/connection_drop.h (shared by the fakes).
#pragma once

#include "tests/fakes/common/connection_drop.h"
