#include "fhir/version.hpp"
