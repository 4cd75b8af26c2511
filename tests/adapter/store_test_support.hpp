#pragma once
// Shared by the store tests: a private temporary directory and store options for a URL.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "adapter/store/store.hpp"

namespace simpul::testing {

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;

  explicit TempDir(std::string_view prefix = "simpul-store") {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string db() const { return file("simpul.db"); }
};

inline adapter::store::StoreOptions options_for(const std::string& url, std::size_t max_batch = 256) {
  adapter::store::StoreOptions o;
  o.url = url;
  o.max_batch_size = max_batch;
  return o;
}

}  // namespace simpul::testing
