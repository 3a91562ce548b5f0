#include "facecore/parallel.h"

#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace facecore {
namespace {

struct Job {
  const std::function<void(int)>* task;
  int tasks;
  std::atomic<int> next{0};
  std::atomic<int> done{0};
  std::mutex mu;
  std::condition_variable finished;
  std::exception_ptr error;

  // Claims and runs tasks until none are left; returns whether it ran any.
  void work() {
    for (int i; (i = next.fetch_add(1)) < tasks;) {
      try {
        (*task)(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
      if (done.fetch_add(1) + 1 == tasks) {
        std::lock_guard<std::mutex> lock(mu);
        finished.notify_all();
      }
    }
  }
};

class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Offers the job to up to `helpers` idle workers.
  void offer(const std::shared_ptr<Job>& job, int helpers) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < helpers; ++i) queue_.push_back(job);
    }
    if (helpers == 1) wake_.notify_one();
    else wake_.notify_all();
  }

  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void loop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job->work();
    }
  }

  std::vector<std::thread> threads_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
};

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process exit races
  // with Node's own teardown.
  static Pool* p = new Pool(default_threads() - 1 > 0 ? default_threads() - 1 : 0);
  return *p;
}

}  // namespace

int default_threads() {
  static const int n = [] {
    // FACECORE_THREADS caps it, e.g. for several processes on one host (src/native.ts rejects
    // a bad value before this runs).
    if (const char* env = std::getenv("FACECORE_THREADS")) {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (*env && end && *end == '\0' && v >= 1 && v <= 1024) return static_cast<int>(v);
    }
    // The cores this process may run on (a container's or taskset's share), not the machine's.
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    const unsigned hc = std::thread::hardware_concurrency();
    return hc == 0 ? 1 : static_cast<int>(hc);
  }();
  return n;
}

void parallel_for(int tasks, int threads, const std::function<void(int)>& task) {
  if (tasks <= 0) return;
  if (threads > tasks) threads = tasks;
  if (threads <= 1 || pool().size() == 0) {
    for (int i = 0; i < tasks; ++i) task(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->task = &task;
  job->tasks = tasks;
  const int helpers = threads - 1 < pool().size() ? threads - 1 : pool().size();
  pool().offer(job, helpers);
  job->work();
  std::unique_lock<std::mutex> lock(job->mu);
  job->finished.wait(lock, [&] { return job->done.load() == tasks; });
  if (job->error) std::rethrow_exception(job->error);
}

}  // namespace facecore
