// faults: moved to tests/fakes/common/faults.h (shared by the QStash and Auth0 fakes).
#pragma once

#include "tests/fakes/common/faults.h"
