#include "fhir/bundle.hpp"

#include "fhir/json.hpp"
#include "fhir/resource.hpp"

namespace simpul::fhir {

namespace {

rapidjson::Value string_copy(std::string_view s, rapidjson::Document::AllocatorType& allocator) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), allocator);
}

std::string_view search_mode_code(SearchMode mode) {
  switch (mode) {
    case SearchMode::match: return "match";
    case SearchMode::include: return "include";
    case SearchMode::outcome: return "outcome";
  }
  return "match";
}

}  // namespace

SearchsetBuilder::SearchsetBuilder() : links_(rapidjson::kArrayType), entries_(rapidjson::kArrayType) {}

SearchsetBuilder& SearchsetBuilder::total(std::uint64_t count) {
  total_ = count;
  return *this;
}

SearchsetBuilder& SearchsetBuilder::link(std::string_view relation, std::string_view url) {
  auto& a = doc_.GetAllocator();
  rapidjson::Value link(rapidjson::kObjectType);
  link.AddMember("relation", string_copy(relation, a), a);
  link.AddMember("url", string_copy(url, a), a);
  links_.PushBack(link, a);
  return *this;
}

SearchsetBuilder& SearchsetBuilder::add(std::string_view full_url, const rapidjson::Value& resource,
                                        SearchMode mode) {
  auto& a = doc_.GetAllocator();
  rapidjson::Value entry(rapidjson::kObjectType);
  if (!full_url.empty()) entry.AddMember("fullUrl", string_copy(full_url, a), a);
  entry.AddMember("resource", rapidjson::Value(resource, a), a);
  rapidjson::Value search(rapidjson::kObjectType);
  search.AddMember("mode", rapidjson::StringRef(search_mode_code(mode).data(), search_mode_code(mode).size()), a);
  entry.AddMember("search", search, a);
  entries_.PushBack(entry, a);
  return *this;
}

std::size_t SearchsetBuilder::size() const noexcept { return entries_.IsArray() ? entries_.Size() : 0; }

rapidjson::Document SearchsetBuilder::finish() {
  auto& a = doc_.GetAllocator();
  doc_.SetObject();
  doc_.AddMember("resourceType", "Bundle", a);
  doc_.AddMember("type", "searchset", a);
  if (total_) doc_.AddMember("total", rapidjson::Value(static_cast<std::uint64_t>(*total_)), a);
  if (links_.IsArray() && !links_.Empty()) doc_.AddMember("link", links_, a);  // moves
  if (entries_.IsArray() && !entries_.Empty()) doc_.AddMember("entry", entries_, a);
  rapidjson::Document out;
  out.Swap(doc_);  // `out` takes the allocator holding everything; doc_ starts afresh
  links_.SetArray();
  entries_.SetArray();
  total_.reset();
  return out;
}

std::string full_url(std::string_view base, std::string_view type, std::string_view id) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string url;
  url.reserve(base.size() + type.size() + id.size() + 2);
  url += base;
  url += '/';
  url += type;
  url += '/';
  url += id;
  return url;
}

std::string_view bundle_type(const rapidjson::Value& bundle) {
  expect_resource_type(bundle, "Bundle");
  const rapidjson::Value* type = member(bundle, "type");
  if (!type) throw Error::required("Bundle.type is required", "Bundle.type");
  if (!type->IsString()) throw Error::structure("Bundle.type must be a string", "Bundle.type");
  return as_string_view(*type);
}

std::vector<BundleEntry> bundle_entries(const rapidjson::Value& bundle) {
  expect_resource_type(bundle, "Bundle");
  std::vector<BundleEntry> out;
  const rapidjson::Value* entries = member(bundle, "entry");
  if (!entries) return out;
  if (!entries->IsArray()) throw Error::structure("Bundle.entry must be an array", "Bundle.entry");
  out.reserve(entries->Size());
  for (rapidjson::SizeType i = 0; i < entries->Size(); ++i) {
    const rapidjson::Value& e = (*entries)[i];
    const std::string where = "Bundle.entry[" + std::to_string(i) + "]";
    if (!e.IsObject()) throw Error::structure(where + " must be an object", where);
    BundleEntry view;
    view.index = i;
    view.entry = &e;
    if (const rapidjson::Value* url = member(e, "fullUrl")) {
      if (!url->IsString()) throw Error::structure(where + ".fullUrl must be a string", where + ".fullUrl");
      view.full_url = as_string_view(*url);
    }
    if (const rapidjson::Value* resource = member(e, "resource")) {
      if (!resource->IsObject()) {
        throw Error::structure(where + ".resource must be a JSON object", where + ".resource");
      }
      view.resource = resource;
    }
    if (const rapidjson::Value* request = member(e, "request")) {
      if (!request->IsObject()) throw Error::structure(where + ".request must be an object", where + ".request");
      view.request = request;
    }
    out.push_back(view);
  }
  return out;
}

}  // namespace simpul::fhir
