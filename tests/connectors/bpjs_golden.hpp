// The golden vector of bpjs-api.md §3.4 (computed there with Node crypto +
// lz-string@1.5.0) and the catalogue signature vectors of §2.2.
#pragma once

#include <string_view>

namespace simpul::connectors::bpjs::golden {

inline constexpr std::string_view kConsId = "1234";
inline constexpr std::string_view kSecret = "pwd";
inline constexpr std::string_view kTimestamp = "433223232";
inline constexpr std::string_view kKeyHex =
    "f75bf2014da65c8f1c39a47de848ba383d051f4e218fa70774fcd3fb216c5f9b";
inline constexpr std::string_view kIvHex = "f75bf2014da65c8f1c39a47de848ba38";
// "CONTOH Ñ": U+00D1 is C3 91 in UTF-8.
inline constexpr std::string_view kPlaintext =
    "{\"peserta\":{\"noKartu\":\"0000000000001\",\"nama\":\"CONTOH \xC3\x91\","
    "\"statusPeserta\":{\"kode\":\"0\",\"keterangan\":\"AKTIF\"}}}";
inline constexpr std::string_view kLz =
    "N4IgDgpgzhBOAuBDEAuUA7A9gaUQgrqiAAylnmkCMIANCOogLbIogDCA8gHIAqHAEgAIAi7RBQk8fFAAK0OElSgA1pgAm"
    "EIsTHKI8OInQBzQ0QCC2HgEkAYiAC+joA";
inline constexpr std::string_view kResponse =
    "vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCFr/otTHO3EEJ7dvt8qKmg2EUBM3E1sltpZTX/8xISV1/6b9qgj"
    "byTc6hYHsOZE+aZWAgLs7IteV2gEPSQtZTSKiiPwxcvVGdYTKbsgRgdBZGzVrr39YwbdISIKaUK8d/k=";
inline constexpr std::string_view kSignature = "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk=";

// Catalogue HMAC vector: HMAC-SHA256(message "aaa", key "bbb").
inline constexpr std::string_view kCatalogueHmacMessage = "aaa";
inline constexpr std::string_view kCatalogueHmacKey = "bbb";
inline constexpr std::string_view kCatalogueHmacBase64 = "20BKS3PWnD3XU4JbSSZvVlGi2WWnDa8Sv9uHJ+wsELA=";

}  // namespace simpul::connectors::bpjs::golden
