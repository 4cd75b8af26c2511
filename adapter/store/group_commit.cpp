#include "adapter/store/group_commit.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace simpul::adapter::store {

WriteBatcher::Hold::~Hold() {
  if (!batcher_) return;
  {
    std::lock_guard lock(batcher_->mutex_);
    --batcher_->holds_;
  }
  batcher_->wake_.notify_all();
}

WriteBatcher::WriteBatcher(Transaction& transaction, std::size_t max_batch, LatencyHook on_latency)
    : transaction_(transaction), max_batch_(std::max<std::size_t>(1, max_batch)), on_latency_(std::move(on_latency)) {
  std::lock_guard lock(mutex_);  // publishes writer_id_ to the writer thread's first lock
  writer_ = std::thread([this] { writer_loop(); });
  writer_id_ = writer_.get_id();
}

WriteBatcher::~WriteBatcher() { stop(); }

void WriteBatcher::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      queue_.push_back(std::move(job));
      stats_.queued = queue_.size();
      wake_.notify_one();
      return;
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.jobs;
    ++stats_.failed_jobs;
  }
  finish(job, std::make_exception_ptr(StoreError(StoreErrc::closed, "store: closed; the write was not performed")));
}

void WriteBatcher::stop() {
  std::lock_guard stop_lock(stop_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

WriteBatcher::Hold WriteBatcher::hold() {
  std::lock_guard lock(mutex_);
  ++holds_;
  return Hold(this);
}

bool WriteBatcher::running() const noexcept {
  std::lock_guard lock(mutex_);
  return !stopped_ && !stopping_;
}

bool WriteBatcher::on_writer_thread() const noexcept { return std::this_thread::get_id() == writer_id_; }

StoreStats WriteBatcher::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WriteBatcher::finish(Job& job, std::exception_ptr error) {
  try {
    if (job.finish) job.finish(error);
  } catch (...) {
    std::lock_guard lock(mutex_);
    ++stats_.callback_errors;
  }
}

void WriteBatcher::writer_loop() {
  for (;;) {
    std::vector<Job> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return (!queue_.empty() && (holds_ == 0 || stopping_)) || (stopping_ && queue_.empty()); });
      if (queue_.empty()) {  // stopping and drained
        stopped_ = true;
        return;
      }
      const std::size_t n = std::min(max_batch_, queue_.size());
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.queued = queue_.size();
    }
    run_batch(batch);
  }
}

void WriteBatcher::run_batch(std::vector<Job>& batch) {
  const std::size_t n = batch.size();
  std::vector<std::exception_ptr> errors(n);

  try {
    transaction_.begin();
  } catch (...) {
    // Nothing ran: every job of the batch fails with the reason (e.g. database locked).
    auto error = std::current_exception();
    transaction_.rollback();
    {
      std::lock_guard lock(mutex_);
      ++stats_.failed_commits;
      stats_.jobs += n;
      stats_.failed_jobs += n;
    }
    for (auto& job : batch) finish(job, error);
    return;
  }

  std::size_t lost_at = n;  // index of the job during which the transaction was lost
  for (std::size_t i = 0; i < n && lost_at == n; ++i) {
    try {
      transaction_.savepoint();
    } catch (...) {
      errors[i] = std::current_exception();
      if (!transaction_.active()) lost_at = i;
      continue;
    }
    try {
      batch[i].run();
      transaction_.release_savepoint();
    } catch (...) {
      errors[i] = std::current_exception();
      bool undone = false;
      if (transaction_.active()) {
        try {
          transaction_.rollback_to_savepoint();
          transaction_.release_savepoint();
          undone = true;
        } catch (...) {
        }
      }
      if (!undone) lost_at = i;
    }
  }

  std::vector<Job> rerun;
  std::vector<bool> requeued(n, false);
  if (lost_at < n) {
    // The backend threw the whole transaction away: the failing job gets its error; the
    // others did nothing durable and run again, first in line.
    transaction_.rollback();
    for (std::size_t i = 0; i < n; ++i) {
      if (i != lost_at && !errors[i]) {
        rerun.push_back(std::move(batch[i]));
        requeued[i] = true;
      }
    }
  } else {
    const auto start = std::chrono::steady_clock::now();
    try {
      transaction_.commit();
      std::lock_guard lock(mutex_);
      ++stats_.commits;
    } catch (...) {
      auto error = std::current_exception();
      transaction_.rollback();
      for (auto& e : errors) {
        if (!e) e = error;
      }
      std::lock_guard lock(mutex_);
      ++stats_.failed_commits;
    }
    if (on_latency_) {
      try {
        on_latency_("commit", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      } catch (...) {
      }
    }
  }

  std::size_t finished = 0, failed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (requeued[i]) continue;
    ++finished;
    if (errors[i]) ++failed;
  }
  {
    std::lock_guard lock(mutex_);
    stats_.jobs += finished;
    stats_.failed_jobs += failed;
    stats_.largest_batch = std::max<std::uint64_t>(stats_.largest_batch, n);
    for (auto it = rerun.rbegin(); it != rerun.rend(); ++it) queue_.push_front(std::move(*it));
    stats_.queued = queue_.size();
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (requeued[i]) continue;
    finish(batch[i], errors[i]);
  }
}

}  // namespace simpul::adapter::store
