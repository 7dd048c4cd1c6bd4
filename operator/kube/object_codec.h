// object_codec: how a cache keeps each projection in few bytes. An object is MessagePack,
// compressed with zstd against a dictionary made of recent objects of the same cache:
// objects of one kind share nearly all their field names and much of their text (condition
// messages, labels, images), so each costs about what is unique to it (its name, uid,
// hashes, times). A resource with its status falls from ~1.3 KB of MessagePack to ~0.2 KB.
//
// The dictionary is a sample of the objects encoded last. The first objects are kept as
// plain MessagePack until there are enough to sample. Objects change shape (on a fresh
// install, resources get their status only after the first sync): every few hundred objects,
// the latest samples are tried as a dictionary, and become the new one when they would
// compress the newest objects a quarter better. Every blob names its dictionary, and dictionaries
// are never dropped (a few, ~16 KB each), so every blob stays readable.
// Thread-safe; encoding and decoding run outside the codec's lock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace keyroll::kube {

class ObjectCodec {
 public:
  ObjectCodec();
  ~ObjectCodec();
  ObjectCodec(const ObjectCodec&) = delete;
  ObjectCodec& operator=(const ObjectCodec&) = delete;

  std::string Encode(const nlohmann::json& object);
  // Throws only on a blob Encode did not make.
  nlohmann::json Decode(std::string_view blob) const;

  // How many dictionaries were made (for tests and benchmarks).
  int dictionaries() const;

  static constexpr int kSamples = 8;           // objects a dictionary is made of
  static constexpr int kMaxDictionaries = 8;   // then the last one is kept for good
  static constexpr size_t kMaxDictionaryBytes = 16 * 1024;

 private:
  using Dictionary = std::shared_ptr<const std::string>;
  struct Compressor;
  // Under mu_:
  void Learn(const std::string& packed);
  std::string OldestSamples(size_t count) const;  // the `count` oldest, oldest first
  bool SamplesWouldDoBetter() const;
  void MakeDictionary();
  Dictionary DictionaryFor(uint8_t id) const;

  mutable std::mutex mu_;
  std::array<Dictionary, kMaxDictionaries> dictionaries_;
  int count_ = 0;  // dictionaries_ in use; blobs name them 1..count_ (0: plain MessagePack)
  std::shared_ptr<const Compressor> compressor_;  // for the newest
  std::array<std::string, kSamples> samples_;  // what the next dictionary is made of (Learn)
  size_t next_sample_ = 0;
  size_t sampled_ = 0;
  int since_trial_ = 0;
};

}  // namespace keyroll::kube
