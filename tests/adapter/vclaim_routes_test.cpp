// Service dates are Jakarta dates (WIB, UTC+7): a visit at 00:30 WIB is already the next day.
#include "adapter/vclaim_routes.hpp"

#include <gtest/gtest.h>

namespace {

std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  using namespace std::chrono;
  return sys_days(year(y) / month(m) / day(d)) + hours(hh) + minutes(mm) + seconds(ss);
}

}  // namespace

TEST(JakartaTime, DatesAndInstantsAreLocalToWib) {
  using simpul::adapter::jakarta_date;
  using simpul::adapter::jakarta_instant;
  EXPECT_EQ(jakarta_date(utc(2025, 6, 14, 16, 59, 59)), "2025-06-14");
  EXPECT_EQ(jakarta_date(utc(2025, 6, 14, 17, 0, 0)), "2025-06-15");
  EXPECT_EQ(jakarta_instant(utc(2025, 6, 14, 17, 30, 5)), "2025-06-15T00:30:05+07:00");
  EXPECT_EQ(jakarta_date(utc(2024, 12, 31, 20, 0, 0)), "2025-01-01");
  EXPECT_EQ(jakarta_instant(utc(2024, 2, 28, 23, 0, 0)), "2024-02-29T06:00:00+07:00");
}
