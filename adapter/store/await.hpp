#pragma once
// Awaiting a Store operation from a coroutine without blocking an io thread:
//
//   IdempotencyBegin b = co_await store::await<IdempotencyBegin>(
//       [&](Store::Completion<IdempotencyBegin> done) { store.begin_idempotency(request, std::move(done)); });
//
// The store completes on its writer thread; the coroutine resumes on its own
// executor. A store error is rethrown in the coroutine.
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapter/store/store.hpp"

namespace simpul::adapter::store {

namespace detail {

// Store completions are std::function (copyable); an Asio handler is move-only: share it,
// and resume on the handler's own executor, never on the store's writer thread.
template <class Handler>
auto resume_on_handler_executor(Handler&& handler) {
  auto shared = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
  return [shared](std::exception_ptr error, auto... value) {
    auto ex = boost::asio::get_associated_executor(*shared);
    boost::asio::post(ex, [shared, error, value...]() mutable { std::move (*shared)(error, std::move(value)...); });
  };
}

}  // namespace detail

// A store operation completing with a value: Store::Completion<T>.
template <class T, class Start>
boost::asio::awaitable<T> await(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
      [start = std::move(start)](auto handler) mutable {
        auto resume = detail::resume_on_handler_executor(std::move(handler));
        try {
          start(Store::Completion<T>([resume](std::exception_ptr e, T v) mutable { resume(e, std::move(v)); }));
        } catch (...) {
          resume(std::current_exception(), T{});
        }
      },
      boost::asio::use_awaitable);
}

// A store operation completing without a value: Store::Done.
template <class Start>
boost::asio::awaitable<void> await_done(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr)>(
      [start = std::move(start)](auto handler) mutable {
        auto resume = detail::resume_on_handler_executor(std::move(handler));
        try {
          start(Store::Done([resume](std::exception_ptr e) mutable { resume(e); }));
        } catch (...) {
          resume(std::current_exception());
        }
      },
      boost::asio::use_awaitable);
}

}  // namespace simpul::adapter::store
