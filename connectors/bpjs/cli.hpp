// `simpul bpjs sign|decrypt`: debugging tools for BPJS bridging (docs/bpjs-protocol.md).
//
// Both return 0 on success and 1 on any failure, in which case exactly one
// line "error: <code>: <reason>" is written to `err` and nothing to `out`.
#pragma once

#include <istream>
#include <ostream>
#include <string_view>

namespace simpul::connectors::bpjs {

/// Prints the X-signature for (cons_id, secret, timestamp) followed by "\n".
/// The timestamp must be 1..19 decimal digits.
int bpjs_sign_command(std::string_view cons_id, std::string_view secret, std::string_view timestamp,
                      std::ostream& out, std::ostream& err);

/// Reads from `in` either
///   - a whole envelope JSON ({"metaData":...,"response":"..."}), or
///   - the bare encrypted `response` value (Base64; line breaks are ignored;
///     surrounding JSON quotes are accepted),
/// decrypts it with the key derived from (cons_id, secret, timestamp) and
/// prints the decoded JSON exactly as decoded (UTF-8) followed by one "\n".
/// An envelope whose `response` is not a string (null, object, ...) is printed
/// as sent: there is nothing to decrypt.
int bpjs_decrypt_command(std::string_view cons_id, std::string_view secret,
                         std::string_view timestamp, std::istream& in, std::ostream& out,
                         std::ostream& err);

}  // namespace simpul::connectors::bpjs
