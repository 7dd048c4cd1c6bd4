// object_codec.cpp — see object_codec.h.
#include "operator/kube/object_codec.h"

#include <zstd.h>

#include <stdexcept>
#include <vector>

namespace keyroll::kube {
namespace {

// Level 1: at these sizes level 3 saves ~1 %, for a quarter more CPU.
constexpr int kLevel = 1;
// How often the samples are tried as a new dictionary (objects encoded between trials).
constexpr int kTrialEvery = 256;
constexpr unsigned long long kMaxDecodedBytes = 64ull << 20;  // no projection is near this
constexpr unsigned long long kKeptBufferBytes = 256ull << 10;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: a context is reused call after call, and is not thread-safe.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  return cctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  return dctx.get();
}

}  // namespace

// The newest dictionary, digested for compression (~150 KB; older ones keep only their bytes,
// which is all decompression needs).
struct ObjectCodec::Compressor {
  Dictionary dictionary;
  uint8_t id = 0;
  ZSTD_CDict* cdict = nullptr;
  ~Compressor() { ZSTD_freeCDict(cdict); }
};

ObjectCodec::ObjectCodec() = default;
ObjectCodec::~ObjectCodec() = default;

std::string ObjectCodec::Encode(const nlohmann::json& object) {
  std::string packed;
  nlohmann::json::to_msgpack(object, packed);
  std::shared_ptr<const Compressor> compressor;
  {
    std::lock_guard lock(mu_);
    compressor = compressor_;
  }
  std::string blob;
  if (compressor) {
    blob.resize(1 + ZSTD_compressBound(packed.size()));
    size_t n = ZSTD_compress_usingCDict(ThreadCCtx(), blob.data() + 1, blob.size() - 1, packed.data(), packed.size(),
                                        compressor->cdict);
    if (!ZSTD_isError(n) && n < packed.size()) {
      blob[0] = static_cast<char>(compressor->id);
      blob.resize(1 + n);  // the caller copies it into its cache item: no shrink_to_fit
    } else {
      blob.clear();
    }
  }
  {
    std::lock_guard lock(mu_);
    Learn(packed);
  }
  if (!blob.empty()) return blob;
  packed.insert(packed.begin(), '\0');  // plain MessagePack: no dictionary yet, or no gain
  return packed;
}

nlohmann::json ObjectCodec::Decode(std::string_view blob) const {
  if (blob.empty()) throw std::invalid_argument("empty object blob");
  const auto id = static_cast<uint8_t>(blob[0]);
  if (id == 0) return nlohmann::json::from_msgpack(blob.begin() + 1, blob.end());
  Dictionary dictionary = DictionaryFor(id);
  if (!dictionary) throw std::invalid_argument("object blob names an unknown dictionary");
  const unsigned long long size = ZSTD_getFrameContentSize(blob.data() + 1, blob.size() - 1);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxDecodedBytes)
    throw std::invalid_argument("object blob is not a zstd frame of known size");
  // One buffer per thread, grown to the largest projection it decoded (a few KiB): a fresh
  // zero-filled vector per read was 1 % of a cold start's CPU.
  // A rare large one gets a buffer of its own, not kept.
  thread_local std::vector<std::uint8_t> kept;
  std::vector<std::uint8_t> large;
  std::vector<std::uint8_t>& bytes = size <= kKeptBufferBytes ? kept : large;
  if (bytes.size() < size) bytes.resize(size);
  size_t n = ZSTD_decompress_usingDict(ThreadDCtx(), bytes.data(), size, blob.data() + 1, blob.size() - 1,
                                       dictionary->data(), dictionary->size());
  if (ZSTD_isError(n) || n != size) throw std::invalid_argument("object blob does not decompress");
  return nlohmann::json::from_msgpack(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
}

int ObjectCodec::dictionaries() const {
  std::lock_guard lock(mu_);
  return count_;
}

ObjectCodec::Dictionary ObjectCodec::DictionaryFor(uint8_t id) const {
  std::lock_guard lock(mu_);
  return id <= count_ ? dictionaries_[id - 1] : nullptr;
}

void ObjectCodec::Learn(const std::string& packed) {
  ++since_trial_;
  const bool first = count_ == 0;
  // Only what a dictionary will be made of is copied: every object before the first one,
  // then the last kSamples before each trial.
  if (first || (count_ < kMaxDictionaries && since_trial_ > kTrialEvery - kSamples)) {
    samples_[next_sample_] = packed;
    next_sample_ = (next_sample_ + 1) % kSamples;
    ++sampled_;
  }
  if (first) {
    if (sampled_ >= kSamples) MakeDictionary();
    return;
  }
  if (since_trial_ < kTrialEvery || count_ >= kMaxDictionaries) return;
  since_trial_ = 0;
  if (SamplesWouldDoBetter()) MakeDictionary();
}

std::string ObjectCodec::OldestSamples(size_t count) const {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += samples_[(next_sample_ + i) % kSamples];
  return out;
}

// A dictionary of the older samples against the newest dictionary, on the newest samples
// (which neither holds): worth a new dictionary when it saves a quarter.
bool ObjectCodec::SamplesWouldDoBetter() const {
  constexpr size_t kHeldOut = 2;
  const std::string candidate = OldestSamples(kSamples - kHeldOut);
  size_t with_candidate = 0, with_newest = 0;
  std::string out;
  for (size_t i = kSamples - kHeldOut; i < kSamples; ++i) {
    const std::string& s = samples_[(next_sample_ + i) % kSamples];
    out.resize(ZSTD_compressBound(s.size()));
    size_t a = ZSTD_compress_usingDict(ThreadCCtx(), out.data(), out.size(), s.data(), s.size(), candidate.data(),
                                       candidate.size(), kLevel);
    size_t b = ZSTD_compress_usingCDict(ThreadCCtx(), out.data(), out.size(), s.data(), s.size(), compressor_->cdict);
    if (ZSTD_isError(a) || ZSTD_isError(b)) return false;
    with_candidate += a;
    with_newest += b;
  }
  return with_candidate * 4 < with_newest * 3;
}

void ObjectCodec::MakeDictionary() {
  // The samples, oldest first (zstd finds near matches more cheaply), newest kept when
  // they are more than the dictionary holds.
  std::string bytes = OldestSamples(kSamples);
  if (bytes.size() > kMaxDictionaryBytes) bytes.erase(0, bytes.size() - kMaxDictionaryBytes);
  auto dictionary = std::make_shared<const std::string>(std::move(bytes));
  auto compressor = std::make_shared<Compressor>();
  compressor->cdict = ZSTD_createCDict(dictionary->data(), dictionary->size(), kLevel);
  if (compressor->cdict == nullptr) return;  // out of memory: objects stay as they are
  compressor->dictionary = dictionary;
  compressor->id = static_cast<uint8_t>(count_ + 1);
  dictionaries_[count_++] = std::move(dictionary);
  compressor_ = std::move(compressor);
}

}  // namespace keyroll::kube
