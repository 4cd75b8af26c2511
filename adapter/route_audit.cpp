#include "adapter/route_audit.hpp"

namespace simpul::adapter {

std::string audit_actor(const RequestContext& ctx) {
  if (ctx.principal && ctx.principal->client) return "client:" + ctx.principal->client->name;
  return "anonymous";
}

}  // namespace simpul::adapter
