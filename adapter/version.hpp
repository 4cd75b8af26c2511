#pragma once
#include <string>
namespace simpul::adapter {
// "simpul 0.1.0 (FHIR 4.0.1, Boost x, OpenSSL y, SQLite z, libcurl w)".
std::string version_text();
}  // namespace simpul::adapter
