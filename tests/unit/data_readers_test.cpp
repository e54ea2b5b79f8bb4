#define BOOST_TEST_MODULE data_readers
#include <boost/test/unit_test.hpp>

#include "sparsepath/io/data_readers.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>

namespace fs = std::filesystem;
using sparsepath::DataSet;
using sparsepath::Error;

namespace {

// A fresh directory under the system temp dir, removed at the end of each test.
struct TempDir {
  fs::path dir;
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    dir = fs::temp_directory_path() /
          ("sparsepath_data_readers_" + std::to_string(random()) + "_" + std::to_string(stamp) +
           "_" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path path = dir / name;
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }
};

// Runs `action`, which must throw sparsepath::Error whose message contains every fragment.
void expect_error(const std::function<void()>& action, std::initializer_list<std::string> fragments) {
  try {
    action();
  } catch (const Error& error) {
    const std::string message = error.what();
    for (const auto& fragment : fragments) {
      BOOST_TEST(message.find(fragment) != std::string::npos,
                 "message '" << message << "' should contain '" << fragment << "'");
    }
    return;
  } catch (const std::exception& other) {
    BOOST_ERROR("expected sparsepath::Error, got another exception: " << other.what());
    return;
  }
  BOOST_ERROR("expected sparsepath::Error, nothing was thrown");
}

std::string at(const fs::path& file, int line) { return file.string() + ":" + std::to_string(line) + ":"; }

}  // namespace

// ------------------------------------------------------------------------------------------------
// parse_finite

BOOST_AUTO_TEST_CASE(parse_finite_accepts_and_rejects) {
  double v = -1.0;
  BOOST_TEST(sparsepath::parse_finite(" 1.5 ", v));
  BOOST_TEST(v == 1.5);
  BOOST_TEST(sparsepath::parse_finite("+2e3", v));
  BOOST_TEST(v == 2000.0);
  BOOST_TEST(sparsepath::parse_finite("-0.25\r", v));
  BOOST_TEST(v == -0.25);
  BOOST_TEST(sparsepath::parse_finite("1e-400", v));  // underflow to zero is fine
  BOOST_TEST(v == 0.0);
  v = 7.0;
  BOOST_TEST(!sparsepath::parse_finite("", v));
  BOOST_TEST(!sparsepath::parse_finite("abc", v));
  BOOST_TEST(!sparsepath::parse_finite("1.5x", v));
  BOOST_TEST(!sparsepath::parse_finite("1 2", v));
  BOOST_TEST(!sparsepath::parse_finite("nan", v));
  BOOST_TEST(!sparsepath::parse_finite("-inf", v));
  BOOST_TEST(!sparsepath::parse_finite("Infinity", v));
  BOOST_TEST(!sparsepath::parse_finite("1e999", v));
  BOOST_TEST(!sparsepath::parse_finite("++1", v));
  BOOST_TEST(!sparsepath::parse_finite("+-1", v));
  BOOST_TEST(!sparsepath::parse_finite("0x10", v));
  BOOST_TEST(v == 7.0);  // untouched on failure
}

// ------------------------------------------------------------------------------------------------
// CSV

BOOST_AUTO_TEST_CASE(csv_good_with_target_in_the_middle) {
  TempDir tmp;
  const auto file = tmp.write("data.csv",
                              "# a comment\n"
                              " a , y ,b\r\n"
                              "1, 10, 2\r\n"
                              "\n"
                              "# another comment\n"
                              "+3,20,-4.5\n"
                              "5e-1,30,6\n"
                              "\n\n");
  const DataSet data = sparsepath::read_csv(file, "y");
  BOOST_TEST(!data.is_sparse);
  BOOST_TEST(data.rows() == 3);
  BOOST_TEST(data.cols() == 2);
  BOOST_TEST(data.names.size() == 2u);
  BOOST_TEST(data.names[0] == "a");
  BOOST_TEST(data.names[1] == "b");
  BOOST_TEST(data.target_name == "y");
  BOOST_TEST(data.y.size() == 3);
  BOOST_TEST(data.y(0) == 10.0);
  BOOST_TEST(data.y(1) == 20.0);
  BOOST_TEST(data.y(2) == 30.0);
  BOOST_TEST(data.dense(0, 0) == 1.0);
  BOOST_TEST(data.dense(0, 1) == 2.0);
  BOOST_TEST(data.dense(1, 0) == 3.0);
  BOOST_TEST(data.dense(1, 1) == -4.5);
  BOOST_TEST(data.dense(2, 0) == 0.5);
  BOOST_TEST(data.dense(2, 1) == 6.0);
}

BOOST_AUTO_TEST_CASE(csv_without_target_keeps_all_columns) {
  TempDir tmp;
  const auto file = tmp.write("x.csv", "a,b,c\n1,2,3\n4,5,6");  // no final newline
  const DataSet data = sparsepath::read_csv(file, "");
  BOOST_TEST(data.rows() == 2);
  BOOST_TEST(data.cols() == 3);
  BOOST_TEST(data.y.size() == 0);
  BOOST_TEST(data.names.size() == 3u);
  BOOST_TEST(data.dense(1, 2) == 6.0);
}

BOOST_AUTO_TEST_CASE(csv_ragged_row) {
  TempDir tmp;
  const auto file = tmp.write("data.csv", "a,b,y\n1,2,3\n# c\n1,2\n");
  expect_error([&] { sparsepath::read_csv(file, "y"); },
               {at(file, 4), "row has 2 cells", "expected 3 (as in the header)"});
  const auto wide = tmp.write("wide.csv", "a,b,y\n1,2,3,4\n");
  expect_error([&] { sparsepath::read_csv(wide, "y"); }, {at(wide, 2), "row has 4 cells"});
}

BOOST_AUTO_TEST_CASE(csv_non_numeric) {
  TempDir tmp;
  const auto file = tmp.write("data.csv", "age,bmi,y\n1,2,3\n4,abc,6\n");
  expect_error([&] { sparsepath::read_csv(file, "y"); },
               {at(file, 3), "column 'bmi' has non-numeric value 'abc'", "expected a finite number"});
  const auto empty_cell = tmp.write("empty_cell.csv", "age,bmi,y\n1,,3\n");
  expect_error([&] { sparsepath::read_csv(empty_cell, "y"); },
               {at(empty_cell, 2), "column 'bmi' has an empty value"});
  const auto quoted = tmp.write("quoted.csv", "age,bmi,y\n1,\"2\",3\n");
  expect_error([&] { sparsepath::read_csv(quoted, "y"); },
               {at(quoted, 2), "quoted fields are not supported"});
}

BOOST_AUTO_TEST_CASE(csv_nan_and_inf) {
  TempDir tmp;
  const auto nan_file = tmp.write("nan.csv", "a,bp,y\n1,2,3\n4,5,6\n7,nan,9\n");
  expect_error([&] { sparsepath::read_csv(nan_file, "y"); },
               {at(nan_file, 4), "column 'bp' has value 'nan'",
                "expected a finite number (NaN and Inf are not allowed)"});
  const auto inf_file = tmp.write("inf.csv", "a,bp,y\n1,-Inf,3\n");
  expect_error([&] { sparsepath::read_csv(inf_file, "y"); },
               {at(inf_file, 2), "'-Inf'", "NaN and Inf are not allowed"});
  const auto target_inf = tmp.write("target_inf.csv", "a,y\n1,inf\n");
  expect_error([&] { sparsepath::read_csv(target_inf, "y"); }, {at(target_inf, 2), "column 'y'"});
}

BOOST_AUTO_TEST_CASE(csv_missing_target_column) {
  TempDir tmp;
  const auto file = tmp.write("data.csv", "a,b,c\n1,2,3\n");
  expect_error([&] { sparsepath::read_csv(file, "target"); },
               {at(file, 1), "no column named 'target' in the header; columns are: a, b, c"});
}

BOOST_AUTO_TEST_CASE(csv_empty_and_header_only) {
  TempDir tmp;
  const auto empty = tmp.write("empty.csv", "");
  expect_error([&] { sparsepath::read_csv(empty, "y"); },
               {empty.string() + ": file is empty; expected a header line"});
  const auto header_only = tmp.write("header.csv", "a,b,y\n\n# nothing\n");
  expect_error([&] { sparsepath::read_csv(header_only, "y"); },
               {header_only.string() + ": no data rows after the header"});
}

BOOST_AUTO_TEST_CASE(csv_missing_file) {
  TempDir tmp;
  const auto missing = tmp.dir / "does_not_exist.csv";
  expect_error([&] { sparsepath::read_csv(missing, "y"); },
               {"cannot open data file '" + missing.string() + "': No such file or directory"});
}

BOOST_AUTO_TEST_CASE(csv_bad_headers) {
  TempDir tmp;
  const auto dup = tmp.write("dup.csv", "a,b,a,y\n1,2,3,4\n");
  expect_error([&] { sparsepath::read_csv(dup, "y"); },
               {at(dup, 1), "'a' appears twice", "columns 1 and 3", "expected unique column names"});
  const auto dup_target = tmp.write("dup_target.csv", "# comment first\ny,b,y\n1,2,3\n");
  expect_error([&] { sparsepath::read_csv(dup_target, "y"); },
               {at(dup_target, 2), "target column 'y' appears twice"});
  const auto empty_cell = tmp.write("empty_cell.csv", "a,,y\n1,2,3\n");
  expect_error([&] { sparsepath::read_csv(empty_cell, "y"); },
               {at(empty_cell, 1), "header column 2 has an empty name"});
  const auto quoted = tmp.write("quoted.csv", "\"a\",b,y\n1,2,3\n");
  expect_error([&] { sparsepath::read_csv(quoted, "y"); },
               {at(quoted, 1), "quoted fields are not supported"});
}

// ------------------------------------------------------------------------------------------------
// LIBSVM

BOOST_AUTO_TEST_CASE(libsvm_good) {
  TempDir tmp;
  const auto file = tmp.write("data.svm",
                              "# comment\n"
                              "1 1:0.5 3:2\n"
                              "-1\t2:1.5\r\n"
                              "\n"
                              "+1 # label only, trailing comment\n"
                              "0 1:-1 4:3e0\n");
  const DataSet data = sparsepath::read_libsvm(file);
  BOOST_TEST(data.is_sparse);
  BOOST_TEST(data.rows() == 4);
  BOOST_TEST(data.cols() == 4);
  BOOST_TEST(data.sparse.isCompressed());
  BOOST_TEST(data.sparse.nonZeros() == 5);
  BOOST_TEST(data.sparse.coeff(0, 0) == 0.5);
  BOOST_TEST(data.sparse.coeff(0, 2) == 2.0);
  BOOST_TEST(data.sparse.coeff(1, 1) == 1.5);
  BOOST_TEST(data.sparse.coeff(3, 0) == -1.0);
  BOOST_TEST(data.sparse.coeff(3, 3) == 3.0);
  BOOST_TEST(data.y(0) == 1.0);
  BOOST_TEST(data.y(1) == -1.0);
  BOOST_TEST(data.y(2) == 1.0);
  BOOST_TEST(data.y(3) == 0.0);
  BOOST_TEST(data.names.size() == 4u);
  BOOST_TEST(data.names[0] == "0");
  BOOST_TEST(data.names[3] == "3");

  const DataSet wider = sparsepath::read_libsvm(file, 10);
  BOOST_TEST(wider.cols() == 10);
  BOOST_TEST(wider.names.size() == 10u);
  BOOST_TEST(wider.names[9] == "9");
}

BOOST_AUTO_TEST_CASE(libsvm_errors) {
  TempDir tmp;
  const auto unsorted = tmp.write("unsorted.svm", "1 1:1 2:2\n1 3:1 2:2\n");
  expect_error([&] { sparsepath::read_libsvm(unsorted); },
               {at(unsorted, 2), "feature index '2'", "strictly increasing"});
  const auto repeated = tmp.write("repeated.svm", "1 3:1 3:2\n");
  expect_error([&] { sparsepath::read_libsvm(repeated); }, {at(repeated, 1), "strictly increasing"});
  const auto zero = tmp.write("zero.svm", "1 1:1\n\n1 0:1 2:2\n");
  expect_error([&] { sparsepath::read_libsvm(zero); }, {at(zero, 3), "feature index '0'", "1-based"});
  const auto negative = tmp.write("negative.svm", "1 -2:1\n");
  expect_error([&] { sparsepath::read_libsvm(negative); }, {at(negative, 1), "'-2'"});
  const auto range = tmp.write("range.svm", "1 1:1 5:1\n0 2:1 11:3\n");
  expect_error([&] { sparsepath::read_libsvm(range, 10); },
               {at(range, 2), "feature index '11'", "expected indices 1..10"});
  const auto bad_value = tmp.write("value.svm", "1 1:1 2:nan\n");
  expect_error([&] { sparsepath::read_libsvm(bad_value); }, {at(bad_value, 1), "'nan'"});
  const auto bad_label = tmp.write("label.svm", "1 1:1\nx 2:1\n");
  expect_error([&] { sparsepath::read_libsvm(bad_label); }, {at(bad_label, 2), "'x'"});
  const auto no_colon = tmp.write("colon.svm", "1 1:1 7\n");
  expect_error([&] { sparsepath::read_libsvm(no_colon); }, {at(no_colon, 1), "'7'", "index:value"});
  const auto empty = tmp.write("empty.svm", "# only a comment\n\n");
  expect_error([&] { sparsepath::read_libsvm(empty); }, {empty.string() + ":", "no data rows"});
  // Found by fuzz_libsvm: one huge index made the reader size (and name) 40 million features.
  const auto huge = tmp.write("huge.svm", "151 1:532.1 40175114:8\n");
  expect_error([&] { sparsepath::read_libsvm(huge); }, {at(huge, 1), "'40175114'", "n_features"});
}

// ------------------------------------------------------------------------------------------------
// Matrix Market

BOOST_AUTO_TEST_CASE(matrix_market_good) {
  TempDir tmp;
  const auto file = tmp.write("x.mtx",
                              "%%MatrixMarket matrix coordinate real general\n"
                              "% a comment\n"
                              "%\n"
                              "3 4 4\n"
                              "1 1 1.5\n"
                              "3 4 -2\n"
                              "2 2 0.25\n"
                              "3 1 7\n");
  const auto target = tmp.write("y.txt", "1\n2\n# c\n3\n");
  const DataSet data = sparsepath::read_matrix_market(file, target);
  BOOST_TEST(data.is_sparse);
  BOOST_TEST(data.rows() == 3);
  BOOST_TEST(data.cols() == 4);
  BOOST_TEST(data.sparse.nonZeros() == 4);
  BOOST_TEST(data.sparse.isCompressed());
  BOOST_TEST(data.sparse.coeff(0, 0) == 1.5);
  BOOST_TEST(data.sparse.coeff(2, 3) == -2.0);
  BOOST_TEST(data.sparse.coeff(1, 1) == 0.25);
  BOOST_TEST(data.sparse.coeff(2, 0) == 7.0);
  BOOST_TEST(data.y.size() == 3);
  BOOST_TEST(data.y(2) == 3.0);
  BOOST_TEST(data.names.size() == 4u);
  BOOST_TEST(data.names[2] == "2");

  const auto pattern = tmp.write("p.mtx", "%%matrixmarket MATRIX Coordinate Pattern General\n2 2 2\n1 2\n2 1\n");
  const DataSet p = sparsepath::read_matrix_market(pattern, "");
  BOOST_TEST(p.y.size() == 0);
  BOOST_TEST(p.sparse.coeff(0, 1) == 1.0);
  BOOST_TEST(p.sparse.coeff(1, 0) == 1.0);

  const auto bad_target = tmp.write("short_y.txt", "1\n2\n");
  expect_error([&] { sparsepath::read_matrix_market(file, bad_target); },
               {bad_target.string() + ": has 2 targets", "expected 3"});
}

BOOST_AUTO_TEST_CASE(matrix_market_errors) {
  TempDir tmp;
  const auto array = tmp.write("array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
  expect_error([&] { sparsepath::read_matrix_market(array, ""); },
               {at(array, 1), "'%%MatrixMarket matrix array real general'", "'array'", "coordinate"});
  const auto symmetric = tmp.write("sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 1 1\n");
  expect_error([&] { sparsepath::read_matrix_market(symmetric, ""); }, {at(symmetric, 1), "'symmetric'"});
  const auto complex = tmp.write("complex.mtx", "%%MatrixMarket matrix coordinate complex general\n");
  expect_error([&] { sparsepath::read_matrix_market(complex, ""); }, {at(complex, 1), "'complex'"});
  const auto garbage = tmp.write("garbage.mtx", "1 2 3\n");
  expect_error([&] { sparsepath::read_matrix_market(garbage, ""); }, {at(garbage, 1), "'1 2 3'"});
  const auto wide = tmp.write("wide.mtx", "%%MatrixMarket matrix coordinate real general\n2 40175114 1\n1 1 1\n");
  expect_error([&] { sparsepath::read_matrix_market(wide, ""); }, {at(wide, 2), "40175114 columns declared", "at most 10000000"});

  const auto fewer = tmp.write("fewer.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n");
  expect_error([&] { sparsepath::read_matrix_market(fewer, ""); },
               {fewer.string() + ": has 2 entries; expected 3", "line 2"});
  const auto more = tmp.write("more.mtx",
                              "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 1\n1 2 1\n");
  expect_error([&] { sparsepath::read_matrix_market(more, ""); },
               {at(more, 4), "has 3 entries; expected 1"});

  const auto row_range = tmp.write("row.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n3 1 1\n");
  expect_error([&] { sparsepath::read_matrix_market(row_range, ""); },
               {at(row_range, 4), "row index '3'", "1..2"});
  const auto col_range = tmp.write("col.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 0 1\n");
  expect_error([&] { sparsepath::read_matrix_market(col_range, ""); },
               {at(col_range, 3), "column index '0'", "1..2"});
  const auto value = tmp.write("value.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 inf\n");
  expect_error([&] { sparsepath::read_matrix_market(value, ""); }, {at(value, 3), "'inf'"});
  const auto dup = tmp.write("dup.mtx",
                             "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 1 1\n1 1 2\n");
  expect_error([&] { sparsepath::read_matrix_market(dup, ""); },
               {at(dup, 5), "(1, 1)", "first on line 3"});
}

// ------------------------------------------------------------------------------------------------
// Vector files

BOOST_AUTO_TEST_CASE(vector_file_good) {
  TempDir tmp;
  const auto file = tmp.write("w.txt", "# weights\n1\n 2.5 \r\n\n+3\n");
  const auto v = sparsepath::read_vector_file(file, "sample weights", 3);
  BOOST_TEST(v.size() == 3);
  BOOST_TEST(v(0) == 1.0);
  BOOST_TEST(v(1) == 2.5);
  BOOST_TEST(v(2) == 3.0);
  const auto any = sparsepath::read_vector_file(file, "lambdas");
  BOOST_TEST(any.size() == 3);
}

BOOST_AUTO_TEST_CASE(vector_file_errors) {
  TempDir tmp;
  const auto file = tmp.write("w.txt", "1\n2\n");
  expect_error([&] { sparsepath::read_vector_file(file, "sample weights", 442); },
               {file.string() + ": has 2 sample weights; expected 442"});
  const auto bad = tmp.write("bad.txt", "1\n2\n3\n# c\nx\n");
  expect_error([&] { sparsepath::read_vector_file(bad, "sample weights", 4); },
               {at(bad, 5), "sample weights value 'x' is not a finite number"});
  const auto nan = tmp.write("nan.txt", "1\nNaN\n");
  expect_error([&] { sparsepath::read_vector_file(nan, "penalty factors"); },
               {at(nan, 2), "'NaN'", "NaN and Inf are not allowed"});
  const auto two = tmp.write("two.txt", "1 2\n");
  expect_error([&] { sparsepath::read_vector_file(two, "lambdas"); }, {at(two, 1), "'1 2'"});
  expect_error([&] { sparsepath::read_vector_file(tmp.dir / "nope.txt", "lambdas"); },
               {"nope.txt", "No such file or directory"});
}
