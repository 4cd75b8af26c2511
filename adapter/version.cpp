#include "adapter/version.hpp"

#include <curl/curl.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>

#include <boost/version.hpp>

#include "fhir/version.hpp"

namespace simpul::adapter {
std::string version_text() {
  std::string s = "simpul " SIMPUL_VERSION " (FHIR ";
  s += fhir::kFhirVersion;
  s += ", Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000);
  s += ", " OPENSSL_VERSION_TEXT;
  s += ", SQLite " SQLITE_VERSION;
  s += ", libcurl ";
  s += curl_version_info(CURLVERSION_NOW)->version;
  s += ")";
  return s;
}
}  // namespace simpul::adapter
