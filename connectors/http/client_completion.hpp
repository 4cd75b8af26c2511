#pragma once
// Type-erased, move-only completion used by HttpClient and KeyedLimiter.
//
// The concrete handler's associated executor is resolved while its type is still known, so
// completion always *posts* the handler to that executor (never runs it inline on the
// client's strand) and the executor is kept busy (outstanding work) until then.
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace simpul::connectors::http::detail {

template <class Arg>
class Completion {
 public:
  virtual ~Completion() = default;
  // Posts the handler with `value` to the handler's executor. Call at most once.
  virtual void complete(Arg value) = 0;
};

template <class Executor>
auto track_work(const Executor& ex) {
  if constexpr (boost::asio::execution::is_executor<Executor>::value) {
    return boost::asio::prefer(ex, boost::asio::execution::outstanding_work.tracked);
  } else {
    return boost::asio::make_work_guard(ex);
  }
}

template <class Arg, class Handler, class DefaultExecutor>
class CompletionFor final : public Completion<Arg> {
 public:
  CompletionFor(Handler&& h, const DefaultExecutor& fallback)
      : handler_(std::move(h)),
        executor_(boost::asio::get_associated_executor(handler_, fallback)),
        work_(track_work(executor_)) {}

  void complete(Arg value) override {
    boost::asio::post(executor_, [h = std::move(handler_), v = std::move(value)]() mutable {
      std::move(h)(std::move(v));
    });
  }

 private:
  Handler handler_;
  boost::asio::associated_executor_t<Handler, DefaultExecutor> executor_;
  decltype(track_work(std::declval<const boost::asio::associated_executor_t<Handler, DefaultExecutor>&>())) work_;
};

template <class Arg, class Handler, class DefaultExecutor>
std::unique_ptr<Completion<Arg>> make_completion(Handler&& h, const DefaultExecutor& fallback) {
  using H = std::decay_t<Handler>;
  return std::make_unique<CompletionFor<Arg, H, DefaultExecutor>>(std::move(h), fallback);
}

// Installed in the caller's cancellation slot. Holds only a weak reference to the owner and
// the operation's id, so a late or repeated emission after completion (or after the owner is
// gone) is a no-op; otherwise Cancel(owner, id) withdraws the operation.
template <class Owner, void (*Cancel)(const std::shared_ptr<Owner>&, std::uint64_t)>
struct CancelById {
  std::weak_ptr<Owner> owner;
  std::uint64_t id;
  void operator()(boost::asio::cancellation_type_t type) const {
    if (type == boost::asio::cancellation_type::none) return;
    if (auto o = owner.lock()) Cancel(o, id);
  }
};

}  // namespace simpul::connectors::http::detail
