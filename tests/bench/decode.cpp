// bench_decode — what parsing an API server's list page costs keyroll, with and without
// leaving out metadata.managedFields at parse time (kube::ParseObjectJson against
// nlohmann::json::parse). A page is --items copies of a real StatefulSet as a real API
// server sends it after its controller has written it (tests/unit/testdata/k8s-wire,
// managedFields of two managers: 48 % of the object's bytes), and the same page without
// managedFields, as the fake API server sends it. Prints the median of --runs parses.
//
//   build/tests/bench/bench_decode [--items 500] [--runs 41]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/object_json.h"
#include "tests/unit/kube/kube_wire_capture.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string Page(json item, int items, bool managed_fields) {
  if (!managed_fields) item["metadata"].erase("managedFields");
  json list = {{"kind", "StatefulSetList"}, {"apiVersion", "apps/v1"},
               {"metadata", {{"resourceVersion", "1"}, {"continue", "x"}}}, {"items", json::array()}};
  for (int i = 0; i < items; ++i) {
    item["metadata"]["name"] = "web-" + std::to_string(i);
    list["items"].push_back(item);
  }
  return list.dump();
}

double Millis(const std::string& text, bool ours) {
  auto t0 = Clock::now();
  json j = ours ? keyroll::kube::ParseObjectJson(text) : json::parse(text);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (j.is_discarded()) std::abort();
  return ms;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int items = 500, runs = 41;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--items")) items = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  }
  const json item =
      json::parse(keyroll::kube::testing::LoadCapture("200-statefulset-template-annotation-bumps-generation.txt").body);
  std::printf("%-46s %9s %12s %12s %7s\n", "page of StatefulSets", "bytes", "json::parse", "ParseObject", "ratio");
  for (bool mf : {true, false}) {
    const std::string text = Page(item, items, mf);
    // Interleaved, so that the machine's drift (these VMs' speed wanders by tens of per cent
    // over seconds) falls on both alike.
    std::vector<double> plain_ms, ours_ms;
    for (int i = 0; i < runs; ++i) {
      plain_ms.push_back(Millis(text, false));
      ours_ms.push_back(Millis(text, true));
    }
    const double plain = Median(plain_ms), ours = Median(ours_ms);
    std::printf("%-46s %9zu %9.2f ms %9.2f ms %7.2f\n",
                mf ? "with managedFields (a real API server)" : "without managedFields (the fake)", text.size(), plain,
                ours, ours / plain);
  }
  return 0;
}
