#include "adapter/audit/audit.hpp"

namespace simpul::adapter::audit {

std::string_view to_code(Action action) noexcept {
  switch (action) {
    case Action::create:
      return "C";
    case Action::read:
      return "R";
    case Action::update:
      return "U";
    case Action::del:
      return "D";
    case Action::execute:
      return "E";
  }
  return "E";
}

std::string_view to_code(Purpose purpose) noexcept {
  switch (purpose) {
    case Purpose::treatment:
      return "TREAT";
    case Purpose::payment:
      return "HPAYMT";
    case Purpose::public_health:
      return "PUBHLTH";
    case Purpose::audit:
      return "HCOMPL";
    case Purpose::operations:
      return "HOPERAT";
    case Purpose::security:
      return "HSYSADMIN";
  }
  return "HOPERAT";
}

}  // namespace simpul::adapter::audit
