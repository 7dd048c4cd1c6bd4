// builtin.cpp: the providers built into keyroll, one registration line each.
#include "operator/providers/auth0/factory.h"
#include "operator/providers/qstash/factory.h"
#include "operator/providers/registry.h"

namespace keyroll::providers {

Registry BuiltinProviders() {
  Registry r;
  r.Add(qstash::MakeFactory());
  r.Add(auth0::MakeFactory());
  return r;
}

}  // namespace keyroll::providers
